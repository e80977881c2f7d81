// kernels::gemm_bf16, the bfloat16 product behind gan::Autocast: against a double-precision
// product of the operands rounded to bfloat16 (which is what it promises: exact products, float
// sums), in each arithmetic this machine runs: AMX tiles, AVX-512 BF16 dot products, widened
// float FMAs (everywhere).
#include <doctest/doctest.h>

#include <gan/core/bfloat16.hpp>
#include <gan/core/error.hpp>
#include <gan/kernels/gemm.hpp>

#include <tbb/global_control.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace {

using gan::kernels::Bf16Arithmetic;
using gan::kernels::GemmShape;
using gan::kernels::Transpose;

// The arithmetics of gemm_bf16 that this machine runs: widened everywhere, the others where the
// processor has them.
std::vector<Bf16Arithmetic> usable_arithmetics() {
    std::vector<Bf16Arithmetic> usable;
    for (const auto arithmetic : {Bf16Arithmetic::amx_tiles, Bf16Arithmetic::dot_products, Bf16Arithmetic::widened})
        if (gan::kernels::cpu_detail::bf16_arithmetic_usable(arithmetic)) usable.push_back(arithmetic);
    return usable;
}

float rounded(float x) { return gan::bfloat16::nearest(x).to_float(); }

struct Bf16Problem {
    GemmShape s;
    std::vector<float> a, b, c;
};

// A (or Aᵀ) and B (or Bᵀ) with padded leading dimensions, C with a padded row and a random start.
Bf16Problem make_bf16_problem(std::size_t m, std::size_t n, std::size_t k, Transpose ta, std::mt19937& rng,
                              Transpose tb = Transpose::no) {
    std::uniform_real_distribution<float> value(-1.0f, 1.0f);
    std::uniform_int_distribution<std::size_t> pad(0, 3);
    Bf16Problem p;
    const std::size_t lda = (ta == Transpose::no ? k : m) + pad(rng), ldb = (tb == Transpose::no ? n : k) + pad(rng);
    const std::size_t ldc = n + pad(rng);
    p.s = {m, n, k, ta, tb, lda, ldb, ldc};
    p.a.resize((ta == Transpose::no ? m : k) * lda);
    p.b.resize((tb == Transpose::no ? k : n) * ldb);
    p.c.resize(m * ldc);
    for (auto* v : {&p.a, &p.b, &p.c})
        for (float& x : *v) x = value(rng);
    return p;
}

// C (+)= A B in double over the rounded operands, and the bound on float summation's error for
// each element: (k + 1) · 2^-24 · Σ|a b| (recursive summation; the products themselves are exact).
void reference(const Bf16Problem& p, const std::vector<float>& c0, bool accumulate, std::vector<double>& c,
               std::vector<double>& bound) {
    const auto& s = p.s;
    c.assign(s.m * s.n, 0.0);
    bound.assign(s.m * s.n, 0.0);
    for (std::size_t i = 0; i < s.m; ++i)
        for (std::size_t j = 0; j < s.n; ++j) {
            double sum = 0, magnitude = 0;
            for (std::size_t q = 0; q < s.k; ++q) {
                const double av = rounded(s.transpose_a == Transpose::no ? p.a[i * s.lda + q] : p.a[q * s.lda + i]);
                const double bv = rounded(s.transpose_b == Transpose::no ? p.b[q * s.ldb + j] : p.b[j * s.ldb + q]);
                const double prod = av * bv;
                sum += prod;
                magnitude += std::fabs(prod);
            }
            const double start = accumulate ? c0[i * s.ldc + j] : 0.0;
            c[i * s.n + j] = start + sum;
            bound[i * s.n + j] = (double(s.k) + 2.0) * std::ldexp(magnitude + std::fabs(start), -24) + 1e-30;
        }
}

}  // namespace

TEST_CASE("gemm_bf16 is the float sum of exact bfloat16 products, in every arithmetic this machine runs") {
    std::mt19937 rng(2026);
    const auto arithmetics = usable_arithmetics();
    std::string tested;
    for (const auto arithmetic : arithmetics) tested += (tested.empty() ? "" : ", ") + std::string(to_string(arithmetic));
    MESSAGE("bfloat16 arithmetics on this machine: " << tested);
    const std::size_t ms[] = {1, 15, 16, 17, 33, 64}, ns[] = {1, 4, 16, 17, 40, 100}, ks[] = {1, 31, 33, 70};
    int cases = 0;
    for (std::size_t m : ms)
        for (std::size_t n : ns)
            for (std::size_t k : ks) {
                if ((m + n + k) % 3 != 0 && !(m == 64 && n == 100)) continue;  // a third of the grid, and the largest
                const Transpose ta = (m + k) % 2 ? Transpose::yes : Transpose::no;
                const Transpose tb = (m + n) % 2 ? Transpose::yes : Transpose::no;
                const bool accumulate = (n + k) % 2 == 0;
                const auto p = make_bf16_problem(m, n, k, ta, rng, tb);
                std::vector<double> want, bound;
                reference(p, p.c, accumulate, want, bound);
                gan::kernels::BFloat16A a;
                a.pack(m, k, ta, p.a.data(), p.s.lda);
                for (const auto arithmetic : arithmetics) {
                    auto c = p.c;
                    gan::kernels::gemm_bf16(gan::cpu{}, p.s, a, p.b.data(), c.data(), accumulate, arithmetic);
                    std::size_t bad = 0;
                    for (std::size_t i = 0; i < m; ++i)
                        for (std::size_t j = 0; j < n; ++j)
                            if (!(std::fabs(c[i * p.s.ldc + j] - want[i * n + j]) <= bound[i * n + j])) ++bad;
                    // Nothing past each row's n columns is written.
                    for (std::size_t i = 0; i < m; ++i)
                        for (std::size_t j = n; j < p.s.ldc; ++j) bad += c[i * p.s.ldc + j] != p.c[i * p.s.ldc + j];
                    const std::string what = std::to_string(m) + " x " + std::to_string(n) + " x " + std::to_string(k) +
                                             (ta == Transpose::yes ? " Aᵀ" : "") + (tb == Transpose::yes ? " Bᵀ" : "") +
                                             " " + to_string(arithmetic) + (accumulate ? " accumulating" : "");
                    INFO(what);
                    CHECK(bad == 0);
                }
                ++cases;
            }
    CHECK(cases > 40);
}

TEST_CASE("gemm_bf16 rounds its operands: a float32 product differs by their rounding, not more") {
    // The bound above is tight enough to tell rounded operands from unrounded ones; this checks
    // that the difference from the float32 product is of the size bfloat16 rounding gives.
    std::mt19937 rng(7);
    const auto p = make_bf16_problem(48, 40, 256, Transpose::no, rng);
    gan::kernels::BFloat16A a;
    a.pack(48, 256, Transpose::no, p.a.data(), p.s.lda);
    auto c16 = p.c, c32 = p.c;
    gan::kernels::gemm_bf16(gan::cpu{}, p.s, a, p.b.data(), c16.data(), false);
    gan::kernels::gemm(gan::cpu{}, p.s, p.a.data(), p.b.data(), c32.data(), false);
    double worst = 0, rms = 0;
    for (std::size_t i = 0; i < 48; ++i)
        for (std::size_t j = 0; j < 40; ++j) {
            const double d = double(c16[i * p.s.ldc + j]) - c32[i * p.s.ldc + j];
            worst = std::max(worst, std::fabs(d));
            rms += d * d;
        }
    rms = std::sqrt(rms / (48 * 40));
    // Each of 256 products moves by up to 2 · 2^-9 of itself (|a b| ≤ 1, mean 1/4): random
    // signs give an RMS near 2^-9 · sqrt(256 · 2 / 9) ≈ 0.015.
    CHECK(rms > 1e-3);
    CHECK(rms < 0.05);
    CHECK(worst < 0.25);
}

TEST_CASE("gemm_bf16 gives the same bits on one thread and two, and keeps a NaN of B in its column") {
    std::mt19937 rng(11);
    for (const auto arithmetic : usable_arithmetics()) {
        for (const Transpose tb : {Transpose::no, Transpose::yes}) {
            auto p = make_bf16_problem(200, 150, 300, Transpose::yes, rng, tb);
            (tb == Transpose::no ? p.b[17 * p.s.ldb + 33] : p.b[33 * p.s.ldb + 17]) =
                std::numeric_limits<float>::quiet_NaN();
            gan::kernels::BFloat16A a;
            a.pack(200, 300, Transpose::yes, p.a.data(), p.s.lda);
            auto one = p.c, two = p.c;
            {
                tbb::global_control limit(tbb::global_control::max_allowed_parallelism, 1);
                gan::kernels::gemm_bf16(gan::cpu{}, p.s, a, p.b.data(), one.data(), false, arithmetic);
            }
            {
                tbb::global_control limit(tbb::global_control::max_allowed_parallelism, 2);
                gan::kernels::gemm_bf16(gan::cpu{}, p.s, a, p.b.data(), two.data(), false, arithmetic);
            }
            CHECK(std::memcmp(one.data(), two.data(), one.size() * sizeof(float)) == 0);
            std::size_t nan_elsewhere = 0, column_nans = 0;
            for (std::size_t i = 0; i < 200; ++i)
                for (std::size_t j = 0; j < 150; ++j) {
                    const bool nan = std::isnan(one[i * p.s.ldc + j]);
                    if (j == 33) column_nans += nan;
                    else nan_elsewhere += nan;
                }
            const std::string what = std::string(tb == Transpose::yes ? "B transposed" : "B as stored") +
                                     ", " + to_string(arithmetic);
            INFO(what);
            CHECK(column_nans == 200);
            CHECK(nan_elsewhere == 0);
        }
    }
}

TEST_CASE("gemm_bf16 rejects a shape that is not its packed A's") {
    std::vector<float> w(6 * 10, 0.5f), b(10 * 3, 1.0f), c(6 * 3);
    gan::kernels::BFloat16A a;
    a.pack(6, 10, Transpose::no, w.data(), 10);
    const GemmShape wrong{6, 3, 9, Transpose::no, Transpose::no, 10, 3, 3};
    CHECK_THROWS_AS(gan::kernels::gemm_bf16(gan::cpu{}, wrong, a, b.data(), c.data(), false), gan::shape_error);
    const GemmShape right{6, 3, 10, Transpose::no, Transpose::no, 10, 3, 3};
    gan::kernels::gemm_bf16(gan::cpu{}, right, a, b.data(), c.data(), false);
    CHECK(c[0] == doctest::Approx(5.0));
}

TEST_CASE("gemm_in_row_groups with bfloat16 weights gives gemm_bf16's bits and hands on every unit once") {
    std::mt19937 rng(5);
    const std::size_t unit = 16, m = unit * 13, n = 70, k = 96;
    auto p = make_bf16_problem(m, n, k, Transpose::yes, rng);
    p.s.ldc = n;
    p.c.assign(m * n, 0.0f);
    gan::kernels::BFloat16A a;
    a.pack(m, k, Transpose::yes, p.a.data(), p.s.lda);
    auto whole = p.c, grouped = p.c;
    gan::kernels::gemm_bf16(gan::cpu{}, p.s, a, p.b.data(), whole.data(), false);
    std::vector<int> handed(m / unit, 0);
    gan::kernels::gemm_in_row_groups(gan::cpu{}, p.s, a, p.b.data(), grouped.data(), unit,
                                     [&](std::size_t row0, std::size_t row1) {
                                         CHECK(row0 % unit == 0);
                                         CHECK(row1 % unit == 0);
                                         for (std::size_t u = row0 / unit; u < row1 / unit; ++u) ++handed[u];
                                     });
    CHECK(std::memcmp(whole.data(), grouped.data(), whole.size() * sizeof(float)) == 0);
    CHECK(std::count(handed.begin(), handed.end(), 1) == std::ptrdiff_t(handed.size()));
}

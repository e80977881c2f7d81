#include <doctest/doctest.h>

#include <gan/core/error.hpp>
#include <gan/kernels/gemm.hpp>

#include <tbb/global_control.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace {

using gan::kernels::GemmShape;
using gan::kernels::Transpose;

struct Problem {
    GemmShape s;
    std::vector<double> a, b, c;  // values in double; the float runs use the rounded copies
};

// A problem with leading dimensions padded by a random (often odd) amount, so strides are never
// a multiple of the vector width by accident.
Problem make_problem(std::size_t m, std::size_t n, std::size_t k, Transpose ta, Transpose tb, std::mt19937& rng) {
    std::uniform_int_distribution<std::size_t> pad(0, 5);
    std::uniform_real_distribution<double> value(-1.0, 1.0);
    Problem p;
    p.s = {m, n, k, ta, tb, 0, 0, 0};
    const std::size_t a_rows = ta == Transpose::no ? m : k, a_cols = ta == Transpose::no ? k : m;
    const std::size_t b_rows = tb == Transpose::no ? k : n, b_cols = tb == Transpose::no ? n : k;
    p.s.lda = a_cols + pad(rng);
    p.s.ldb = b_cols + pad(rng);
    p.s.ldc = n + pad(rng);
    p.a.resize(a_rows * p.s.lda + 1);
    p.b.resize(b_rows * p.s.ldb + 1);
    p.c.resize(m * p.s.ldc + 1);
    for (auto* v : {&p.a, &p.b, &p.c})
        for (double& x : *v) x = value(rng);
    return p;
}

template <class T>
std::vector<T> as(const std::vector<double>& v) {
    return std::vector<T>(v.begin(), v.end());
}

std::string describe(const GemmShape& s, bool accumulate) {
    return "m=" + std::to_string(s.m) + " n=" + std::to_string(s.n) + " k=" + std::to_string(s.k) +
           " ta=" + std::to_string(int(s.transpose_a)) + " tb=" + std::to_string(int(s.transpose_b)) +
           " lda=" + std::to_string(s.lda) + " ldb=" + std::to_string(s.ldb) + " ldc=" + std::to_string(s.ldc) +
           " accumulate=" + std::to_string(accumulate);
}

// Checks gemm<T> against the reference evaluated in double on the same (rounded) inputs, element by
// element within the classical bound |error| <= (k + 2) u (sum_p |a_ip b_pj| + |c_ij|), and checks
// that the padding between rows of C is left alone.
template <class T>
void plain_gemm(const GemmShape& s, const T* a, const T* b, T* c, bool accumulate) {
    gan::kernels::gemm(gan::cpu{}, s, a, b, c, accumulate);
}

template <class T>
void packed_gemm(const GemmShape& s, const T* a, const T* b, T* c, bool accumulate) {
    const gan::kernels::PackedA<T> packed(s.m, s.k, s.transpose_a, a, s.lda);
    gan::kernels::gemm(gan::cpu{}, s, packed, b, c, accumulate);
}

template <class T>
void check_against_reference(const Problem& p, bool accumulate, void (*gemm)(const GemmShape&, const T*, const T*, T*, bool) = plain_gemm<T>) {
    const auto a = as<T>(p.a), b = as<T>(p.b), c0 = as<T>(p.c);
    auto c = c0;
    gemm(p.s, a.data(), b.data(), c.data(), accumulate);

    const std::vector<double> ad(a.begin(), a.end()), bd(b.begin(), b.end());
    std::vector<double> expected(c0.begin(), c0.end()), magnitude(c0.size());
    gan::kernels::gemm_reference(p.s, ad.data(), bd.data(), expected.data(), accumulate);
    std::vector<double> abs_a(ad.size()), abs_b(bd.size());
    for (std::size_t i = 0; i < ad.size(); ++i) abs_a[i] = std::abs(ad[i]);
    for (std::size_t i = 0; i < bd.size(); ++i) abs_b[i] = std::abs(bd[i]);
    gan::kernels::gemm_reference(p.s, abs_a.data(), abs_b.data(), magnitude.data(), false);

    const double u = std::numeric_limits<T>::epsilon();
    std::size_t bad = 0;
    for (std::size_t i = 0; i < p.s.m; ++i)
        for (std::size_t j = 0; j < p.s.ldc; ++j) {
            const std::size_t at = i * p.s.ldc + j;
            if (j >= p.s.n) {
                bad += c[at] != c0[at];
                continue;
            }
            const double bound = double(p.s.k + 2) * u * (magnitude[at] + (accumulate ? std::abs(double(c0[at])) : 0));
            bad += !(std::abs(double(c[at]) - expected[at]) <= bound);
        }
    INFO(describe(p.s, accumulate));
    CHECK(bad == 0);
}

const Transpose both[] = {Transpose::no, Transpose::yes};

}  // namespace

TEST_CASE_TEMPLATE("gemm matches the reference on random shapes, transposes and strides", T, float, double) {
    std::mt19937 rng(20261124);
    std::uniform_int_distribution<std::size_t> small(1, 40), medium(1, 200);
    for (int trial = 0; trial < 60; ++trial) {
        const bool big = trial % 4 == 0;
        const std::size_t m = big ? medium(rng) : small(rng), n = big ? medium(rng) : small(rng),
                          k = big ? medium(rng) : small(rng);
        for (Transpose ta : both)
            for (Transpose tb : both)
                for (bool accumulate : {false, true}) check_against_reference<T>(make_problem(m, n, k, ta, tb, rng), accumulate);
    }
}

TEST_CASE_TEMPLATE("gemm handles degenerate sizes and every blocking boundary", T, float, double) {
    std::mt19937 rng(7);
    // 0 and 1 everywhere; around the register tile, KC, MC and NC; one long dimension at a time.
    const std::size_t shapes[][3] = {{0, 5, 5},   {5, 0, 5},   {5, 5, 0},    {1, 1, 1},    {1, 1, 1000},
                                     {1, 77, 1},  {77, 1, 1},  {1, 300, 9},  {300, 1, 9},  {6, 64, 256},
                                     {7, 65, 257}, {5, 63, 255}, {13, 33, 129}, {145, 20, 30}, {290, 70, 520},
                                     {3, 4100, 7}, {16, 512, 300}, {512, 16, 300}, {2, 3, 2049}, {4, 3, 0}, {3, 4, 0},
                                     {2100, 3, 600}, {1030, 4, 257},  // the streaming path's stretches
                                     {70, 600, 5}, {13, 1030, 64}, {300, 2000, 1}, {7, 513, 65}};  // short K
    for (const auto& [m, n, k] : shapes)
        for (Transpose ta : both)
            for (Transpose tb : both)
                for (bool accumulate : {false, true}) check_against_reference<T>(make_problem(m, n, k, ta, tb, rng), accumulate);
}

TEST_CASE_TEMPLATE("gemm results are bit-identical for 1 and 2 threads", T, float, double) {
    std::mt19937 rng(3);
    // Large enough to run in parallel; the second is narrow and runs transposed, the last three
    // take the dot-product or (A transposed) the streaming path.
    const std::size_t shapes[][3] = {{300, 333, 700}, {500, 12, 900}, {130, 1030, 520}, {700, 3, 1100}, {3, 700, 1100},
                                     {2500, 2, 600}};
    for (const auto& [m, n, k] : shapes)
        for (Transpose ta : both)
            for (Transpose tb : both)
                for (bool accumulate : {false, true}) {
                    const Problem p = make_problem(m, n, k, ta, tb, rng);
                    const auto a = as<T>(p.a), b = as<T>(p.b);
                    std::vector<std::vector<T>> results;
                    for (int threads : {1, 2, 1, 2}) {
                        tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
                        auto c = as<T>(p.c);
                        gan::kernels::gemm(gan::cpu{}, p.s, a.data(), b.data(), c.data(), accumulate);
                        results.push_back(std::move(c));
                    }
                    INFO(describe(p.s, accumulate));
                    for (const auto& c : results)
                        CHECK(std::memcmp(c.data(), results[0].data(), c.size() * sizeof(T)) == 0);
                }
}

namespace {
// gemm, whatever path the shape takes, against the blocked loop (gemm_unpacked, which takes it
// for these shapes): a layer gives the same bits whichever path its shape takes, and the same
// as before that path existed.
template <class T>
void check_same_bits_as_blocked(const Problem& p, bool accumulate) {
    const auto a = as<T>(p.a), b = as<T>(p.b);
    auto c = as<T>(p.c), blocked = as<T>(p.c);
    gan::kernels::gemm(gan::cpu{}, p.s, a.data(), b.data(), c.data(), accumulate);
    gan::kernels::cpu_detail::gemm_unpacked<T>(p.s.m, p.s.n, p.s.k, {a.data(), p.s.lda, p.s.transpose_a == Transpose::yes},
                                               {b.data(), p.s.ldb, p.s.transpose_b == Transpose::yes}, blocked.data(),
                                               p.s.ldc, 1, accumulate);
    INFO(describe(p.s, accumulate));
    CHECK(std::memcmp(c.data(), blocked.data(), c.size() * sizeof(T)) == 0);
}
}  // namespace

TEST_CASE_TEMPLATE("the streaming path for a transposed A and at most four columns gives the blocked GEMM's bits", T,
                   float, double) {
    // Both run acc = fma(a, b, acc) over each KC step from zero and then C (+)= acc.
    std::mt19937 rng(5);
    const std::size_t shapes[][3] = {{2100, 1, 600}, {1030, 2, 257}, {77, 3, 1000}, {4100, 4, 300}, {9, 4, 3}};
    for (const auto& [m, n, k] : shapes)
        for (Transpose tb : both)
            for (bool accumulate : {false, true})
                check_same_bits_as_blocked<T>(make_problem(m, n, k, Transpose::yes, tb, rng), accumulate);
}

TEST_CASE_TEMPLATE("the streaming path for at most four rows and B stored along its rows gives the blocked GEMM's bits",
                   T, float, double) {
    // The transposed product, Cᵀ = op(B)ᵀ op(A)ᵀ, through the same kernel: a convolution to one
    // output channel (a PatchGAN's last layer, 1 × 196 × 8192) gives its forward bits whichever path.
    std::mt19937 rng(8);
    const std::size_t shapes[][3] = {{1, 196, 8192}, {2, 1030, 257}, {3, 77, 1000}, {4, 4100, 300}, {4, 9, 3}};
    for (const auto& [m, n, k] : shapes)
        for (Transpose ta : both)
            for (bool accumulate : {false, true})
                check_same_bits_as_blocked<T>(make_problem(m, n, k, ta, Transpose::no, rng), accumulate);
}

TEST_CASE_TEMPLATE("gemm with a streamed A equals gemm with A as stored bit for bit", T, float, double) {
    // StreamedA stores each stretch of C's rows' part of A as one block; the kernel and its sums
    // are those of the streaming path. Shapes around the 1024-row stretch and the K step, on 1
    // and on 2 threads; storing again into the same object, smaller after larger, rewrites it.
    std::mt19937 rng(7);
    gan::kernels::StreamedA<T> streamed;
    const std::size_t shapes[][3] = {{2100, 1, 600}, {1030, 2, 257}, {77, 3, 1000}, {4100, 4, 300}, {9, 4, 3}};
    for (const auto& [m, n, k] : shapes)
        for (Transpose tb : both)
            for (bool accumulate : {false, true}) {
                const Problem p = make_problem(m, n, k, Transpose::yes, tb, rng);
                const auto a = as<T>(p.a), b = as<T>(p.b);
                auto expected = as<T>(p.c);
                gan::kernels::gemm(gan::cpu{}, p.s, a.data(), b.data(), expected.data(), accumulate);
                streamed.pack(m, k, a.data(), p.s.lda);
                for (int threads : {1, 2}) {
                    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
                    auto c = as<T>(p.c);
                    gan::kernels::gemm(gan::cpu{}, p.s, streamed, b.data(), c.data(), accumulate);
                    INFO(describe(p.s, accumulate), " threads=", threads);
                    CHECK(std::memcmp(c.data(), expected.data(), c.size() * sizeof(T)) == 0);
                }
            }
    std::vector<T> b(5 * 9), c(9 * 5);
    const GemmShape five_columns{9, 5, 3, Transpose::yes, Transpose::no, 9, 5, 5};
    CHECK_THROWS_AS(gan::kernels::gemm(gan::cpu{}, five_columns, streamed, b.data(), c.data(), false), gan::shape_error);
    const GemmShape other_depth{9, 4, 4, Transpose::yes, Transpose::no, 9, 4, 4};
    CHECK_THROWS_AS(gan::kernels::gemm(gan::cpu{}, other_depth, streamed, b.data(), c.data(), false), gan::shape_error);
}

TEST_CASE_TEMPLATE("the path for a short K gives the blocked GEMM's bits", T, float, double) {
    // The same register tiles over the same single K step, swept along C's rows instead.
    std::mt19937 rng(6);
    const std::size_t shapes[][3] = {{512, 2000, 1}, {100, 1030, 4}, {37, 600, 16}, {200, 4100, 64}};
    for (const auto& [m, n, k] : shapes)
        for (Transpose ta : both)
            for (Transpose tb : both)
                for (bool accumulate : {false, true})
                    check_same_bits_as_blocked<T>(make_problem(m, n, k, ta, tb, rng), accumulate);
}

TEST_CASE_TEMPLATE("the tall path, reading A as stored, gives the packed tiles' bits", T, float, double) {
    // C one tile wide and A stored along K (a deep layer's forward product, the input gradient of
    // a transposed convolution): the tile reads A's rows where it would read a packed panel. The
    // pre-packed product runs the packed tiles over the same K steps. A last panel of one to five
    // rows reads row 0 again in the rows it does not store.
    std::mt19937 rng(12);
    const std::size_t shapes[][3] = {{512, 16, 300}, {151, 64, 1000}, {300, 33, 517}, {1000, 64, 8}, {145, 20, 30}};
    for (const auto& [m, n, k] : shapes)
        for (Transpose tb : both)
            for (bool accumulate : {false, true}) {
                const Problem p = make_problem(m, n, k, Transpose::no, tb, rng);
                const auto a = as<T>(p.a), b = as<T>(p.b);
                auto tall = as<T>(p.c), packed_tiles = tall;
                gan::kernels::gemm(gan::cpu{}, p.s, a.data(), b.data(), tall.data(), accumulate);
                const gan::kernels::PackedA<T> packed(m, k, Transpose::no, a.data(), p.s.lda);
                gan::kernels::gemm(gan::cpu{}, p.s, packed, b.data(), packed_tiles.data(), accumulate);
                INFO(describe(p.s, accumulate));
                CHECK(std::memcmp(tall.data(), packed_tiles.data(), tall.size() * sizeof(T)) == 0);
            }
}

TEST_CASE_TEMPLATE("gemm_row_slabs hands on every row panel once, with gemm's bits", T, float, double) {
    std::mt19937 rng(12);
    // m not a multiple of the tile's rows; 1, 4 and 64 K steps; a column count that ends inside a tile.
    const std::size_t shapes[][3] = {{512, 8192, 1}, {37, 600, 16}, {200, 4100, 64}, {5, 512, 4}};
    for (const auto& [m, n, k] : shapes)
        for (Transpose ta : both)
            for (Transpose tb : both)
                for (int threads : {1, 2}) {
                    Problem p = make_problem(m, n, k, ta, tb, rng);
                    const auto a = as<T>(p.a), b = as<T>(p.b);
                    auto c = as<T>(p.c);
                    gan::kernels::gemm(gan::cpu{}, p.s, a.data(), b.data(), c.data(), false);
                    REQUIRE(gan::kernels::gemm_completes_rows(p.s));
                    std::vector<T> slabs(m * n, T(-7));
                    std::vector<int> seen(m, 0);
                    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
                    gan::kernels::gemm_row_slabs(gan::cpu{}, p.s, a.data(), b.data(),
                                                 [&](std::size_t row, std::size_t rows, const T* panel) {
                                                     for (std::size_t i = row; i < row + rows; ++i) ++seen[i];
                                                     std::memcpy(slabs.data() + row * n, panel, rows * n * sizeof(T));
                                                 });
                    INFO(describe(p.s, false), " threads=", threads);
                    CHECK(std::count(seen.begin(), seen.end(), 1) == std::ptrdiff_t(m));
                    bool same = true;
                    for (std::size_t i = 0; i < m; ++i)
                        same = same && std::memcmp(slabs.data() + i * n, c.data() + i * p.s.ldc, n * sizeof(T)) == 0;
                    CHECK(same);
                }
    // Products that gemm does not complete row panel by row panel are refused, with a message.
    for (const GemmShape& s : {GemmShape{4, 8192, 4, Transpose::no, Transpose::no, 4, 8192, 8192},
                               GemmShape{64, 511, 4, Transpose::no, Transpose::no, 4, 511, 511},
                               GemmShape{64, 8192, 65, Transpose::no, Transpose::no, 65, 8192, 8192}}) {
        CHECK_FALSE(gan::kernels::gemm_completes_rows(s));
        const std::vector<T> a(s.m * s.k), b(s.k * s.n);
        CHECK_THROWS_AS(gan::kernels::gemm_row_slabs(gan::cpu{}, s, a.data(), b.data(),
                                                     [](std::size_t, std::size_t, const T*) {}),
                        gan::invalid_argument);
    }
}

TEST_CASE_TEMPLATE("gemm_in_row_groups hands on whole units once, each with its final values", T, float, double) {
    std::mt19937 rng(19);
    // Units of 16 rows (a 4 x 4 kernel's channel; a granule of 48 divides the L2 block of 144
    // rows), 25 (a granule of 150, which does not) and 9; groups of several L2 blocks; 1 and 2 K
    // steps of 256 (the rows are final only in the last); A as stored and packed; more columns
    // than one column block of the blocked loop (4096).
    const std::size_t shapes[][4] = {{640, 300, 200, 16}, {750, 70, 300, 25}, {81, 1000, 40, 9}, {48, 6, 512, 16},
                                     {96, 4200, 8, 16}};
    gan::kernels::PackedA<T> packed;
    for (const auto& [m, n, k, unit] : shapes)
        for (Transpose ta : both)
            for (bool prepacked : {false, true})
                for (int threads : {1, 2}) {
                    const Problem p = make_problem(m, n, k, ta, Transpose::no, rng);
                    const auto a = as<T>(p.a), b = as<T>(p.b);
                    auto expected = as<T>(p.c), c = expected;
                    gan::kernels::gemm(gan::cpu{}, p.s, a.data(), b.data(), expected.data(), false);
                    std::vector<int> handed(m, 0);
                    std::atomic<int> not_final{0}, not_whole{0};  // done runs on both threads
                    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
                    const auto done = [&](std::size_t row0, std::size_t row1) {
                        if (row0 % unit != 0 || row1 % unit != 0 || row0 >= row1) ++not_whole;
                        for (std::size_t i = row0; i < row1; ++i) {
                            ++handed[i];
                            if (std::memcmp(c.data() + i * p.s.ldc, expected.data() + i * p.s.ldc, n * sizeof(T)) != 0)
                                ++not_final;
                        }
                    };
                    if (prepacked) {
                        packed.pack(m, k, ta, a.data(), p.s.lda);
                        gan::kernels::gemm_in_row_groups(gan::cpu{}, p.s, packed, b.data(), c.data(), unit, done);
                    } else {
                        gan::kernels::gemm_in_row_groups(gan::cpu{}, p.s, a.data(), b.data(), c.data(), unit, done);
                    }
                    INFO(describe(p.s, false), " unit=", unit, " prepacked=", prepacked, " threads=", threads);
                    CHECK(std::count(handed.begin(), handed.end(), 1) == std::ptrdiff_t(m));
                    CHECK(not_whole == 0);
                    CHECK(not_final == 0);
                    CHECK(std::memcmp(c.data(), expected.data(), c.size() * sizeof(T)) == 0);
                }
    // Rows that are not whole units, or at most four columns, are refused.
    const GemmShape ragged{50, 300, 20, Transpose::no, Transpose::no, 20, 300, 300};
    const std::vector<T> a(50 * 20), b(20 * 300);
    std::vector<T> c(50 * 300);
    CHECK_THROWS_AS(gan::kernels::gemm_in_row_groups(gan::cpu{}, ragged, a.data(), b.data(), c.data(), 16,
                                                     [](std::size_t, std::size_t) {}),
                    gan::shape_error);
    const GemmShape narrow{48, 4, 20, Transpose::no, Transpose::no, 20, 4, 4};
    CHECK_THROWS_AS(gan::kernels::gemm_in_row_groups(gan::cpu{}, narrow, a.data(), b.data(), c.data(), 16,
                                                     [](std::size_t, std::size_t) {}),
                    gan::shape_error);
}

TEST_CASE_TEMPLATE("gemm with a pre-packed A equals gemm bit for bit beyond four columns", T, float, double) {
    std::mt19937 rng(11);
    gan::kernels::PackedA<T> packed;
    // Repacking into the same object, smaller after larger, must reuse and fully rewrite it.
    const std::size_t shapes[][3] = {{200, 150, 600}, {37, 91, 45}, {128, 1024, 300}, {1, 5, 1}};
    for (const auto& [m, n, k] : shapes)
        for (Transpose ta : both)
            for (Transpose tb : both)
                for (bool accumulate : {false, true}) {
                    const Problem p = make_problem(m, n, k, ta, tb, rng);
                    const auto a = as<T>(p.a), b = as<T>(p.b);
                    auto expected = as<T>(p.c), c = expected;
                    gan::kernels::gemm(gan::cpu{}, p.s, a.data(), b.data(), expected.data(), accumulate);
                    packed.pack(m, k, ta, a.data(), p.s.lda);
                    gan::kernels::gemm(gan::cpu{}, p.s, packed, b.data(), c.data(), accumulate);
                    INFO(describe(p.s, accumulate));
                    CHECK(std::memcmp(c.data(), expected.data(), c.size() * sizeof(T)) == 0);
                }
    GemmShape wrong{2, 1, 1, Transpose::no, Transpose::no, 1, 1, 1};
    std::vector<T> b(1), c(2);
    CHECK_THROWS_AS(gan::kernels::gemm(gan::cpu{}, wrong, packed, b.data(), c.data(), false), gan::shape_error);
}

TEST_CASE_TEMPLATE("gemm with a pre-packed A and at most four columns matches the reference", T, float, double) {
    std::mt19937 rng(13);
    // K around the vector groups of the narrow kernel (8 k-steps for AVX-512 float) and the K step.
    const std::size_t shapes[][2] = {{1, 1}, {7, 0}, {5, 7}, {13, 8}, {6, 9}, {100, 300}, {31, 513}, {600, 1000}};
    for (const auto& [m, k] : shapes)
        for (std::size_t n = 1; n <= 4; ++n)
            for (Transpose ta : both)
                for (Transpose tb : both)
                    for (bool accumulate : {false, true})
                        check_against_reference<T>(make_problem(m, n, k, ta, tb, rng), accumulate, packed_gemm<T>);
}

TEST_CASE_TEMPLATE("gemm with a pre-packed A is bit-identical for 1 and 2 threads", T, float, double) {
    std::mt19937 rng(17);
    const std::size_t shapes[][3] = {{600, 1, 4000}, {1000, 4, 700}, {400, 16, 900}, {300, 200, 500}};
    for (const auto& [m, n, k] : shapes) {
        const Problem p = make_problem(m, n, k, Transpose::yes, Transpose::no, rng);
        const auto a = as<T>(p.a), b = as<T>(p.b);
        const gan::kernels::PackedA<T> packed(m, k, Transpose::yes, a.data(), p.s.lda);
        std::vector<std::vector<T>> results;
        for (int threads : {1, 2, 1, 2}) {
            tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
            auto c = as<T>(p.c);
            gan::kernels::gemm(gan::cpu{}, p.s, packed, b.data(), c.data(), true);
            results.push_back(std::move(c));
        }
        INFO(describe(p.s, true));
        for (const auto& c : results) CHECK(std::memcmp(c.data(), results[0].data(), c.size() * sizeof(T)) == 0);
    }
}

TEST_CASE("gemm called from concurrent TBB tasks gives the results of serial calls") {
    // Each call is large enough to fork tasks of its own: a thread waiting for them must not run
    // another call's work on top of its own packing buffers.
    std::mt19937 rng(19);
    std::vector<Problem> problems;
    for (int i = 0; i < 8; ++i)
        problems.push_back(make_problem(150 + 20 * i, 120 + 10 * i, 300, i % 2 ? Transpose::yes : Transpose::no,
                                        i % 3 ? Transpose::no : Transpose::yes, rng));
    std::vector<std::vector<float>> serial, concurrent;
    for (const auto& p : problems) {
        const auto a = as<float>(p.a), b = as<float>(p.b);
        auto c = as<float>(p.c);
        gan::kernels::gemm(gan::cpu{}, p.s, a.data(), b.data(), c.data(), false);
        serial.push_back(std::move(c));
        concurrent.push_back(as<float>(p.c));
    }
    tbb::parallel_for(std::size_t(0), problems.size(), [&](std::size_t i) {
        const auto a = as<float>(problems[i].a), b = as<float>(problems[i].b);
        gan::kernels::gemm(gan::cpu{}, problems[i].s, a.data(), b.data(), concurrent[i].data(), false);
    });
    for (std::size_t i = 0; i < problems.size(); ++i)
        CHECK(std::memcmp(serial[i].data(), concurrent[i].data(), serial[i].size() * sizeof(float)) == 0);
}

TEST_CASE("gemm reuses its packing buffers once warm") {
    std::mt19937 rng(5);
    const Problem p = make_problem(200, 300, 400, Transpose::no, Transpose::yes, rng);
    const auto a = as<float>(p.a), b = as<float>(p.b);
    auto c = as<float>(p.c);
    gan::kernels::gemm(gan::cpu{}, p.s, a.data(), b.data(), c.data(), false);
    auto& workspace = gan::kernels::cpu_detail::gemm_b_workspace();
    const std::size_t warm = workspace.capacity_bytes();
    const float* buffer = workspace.get<float>(1);
    for (int i = 0; i < 3; ++i) gan::kernels::gemm(gan::cpu{}, p.s, a.data(), b.data(), c.data(), true);
    CHECK(workspace.capacity_bytes() == warm);
    CHECK(workspace.get<float>(1) == buffer);
}

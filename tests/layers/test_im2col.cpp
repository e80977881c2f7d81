// im2col against its definition, and col2im as its exact adjoint, over every small geometry:
// kernels 1–5, strides 1–3, paddings 0–2, sizes 1–7 (wherever the window fits); the GEMM's
// panels packed straight from the image against those packed from im2col.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <vector>

#include <tbb/global_control.h>

#include <gan/core/error.hpp>
#include <gan/kernels/conv_implicit.hpp>
#include <gan/kernels/conv_transpose.hpp>
#include <gan/kernels/im2col.hpp>

TEST_CASE("im2col gathers the padded windows and col2im scatters them back") {
    std::size_t geometries = 0;
    for (std::size_t k = 1; k <= 5; ++k)
        for (std::size_t s = 1; s <= 3; ++s)
            for (std::size_t p = 0; p <= 2; ++p)
                for (std::size_t h = 1; h <= 7; ++h)
                    for (std::size_t w = 1; w <= 7; w += 3) {
                        if (h + 2 * p < k || w + 2 * p < k) continue;
                        const gan::kernels::ConvGeometry g{2, h, w, k, s, p, (h + 2 * p - k) / s + 1, (w + 2 * p - k) / s + 1};
                        ++geometries;
                        std::vector<double> x(2 * h * w), cols(g.rows() * g.columns(), -1.0);
                        for (std::size_t i = 0; i < x.size(); ++i) x[i] = double(i + 1);
                        gan::kernels::im2col(gan::cpu{}, g, x.data(), cols.data());
                        std::vector<double> expected(cols.size());
                        for (std::size_t c = 0; c < 2; ++c)
                            for (std::size_t kh = 0; kh < k; ++kh)
                                for (std::size_t kw = 0; kw < k; ++kw)
                                    for (std::size_t oh = 0; oh < g.out_height; ++oh)
                                        for (std::size_t ow = 0; ow < g.out_width; ++ow) {
                                            const long ih = long(oh * s + kh) - long(p), iw = long(ow * s + kw) - long(p);
                                            const bool inside = ih >= 0 && ih < long(h) && iw >= 0 && iw < long(w);
                                            expected[((c * k + kh) * k + kw) * g.columns() + oh * g.out_width + ow] =
                                                inside ? x[(c * h + std::size_t(ih)) * w + std::size_t(iw)] : 0.0;
                                        }
                        INFO("k ", k, " s ", s, " p ", p, " h ", h, " w ", w);
                        REQUIRE(cols == expected);

                        // <im2col(x), r> = <x, col2im(r)> for r = the column indices.
                        std::vector<double> r(cols.size()), back(x.size(), 5.0);
                        for (std::size_t i = 0; i < r.size(); ++i) r[i] = double(i % 7) - 3.0;
                        gan::kernels::col2im(gan::cpu{}, g, r.data(), back.data(), false);
                        double lhs = 0, rhs = 0;
                        for (std::size_t i = 0; i < r.size(); ++i) lhs += cols[i] * r[i];
                        for (std::size_t i = 0; i < x.size(); ++i) rhs += x[i] * back[i];
                        CHECK(lhs == rhs);
                    }
    CHECK(geometries > 300);
}

// The kernel-4, stride-2, padding-1 path (every strided pix2pix layer) against the definition on
// larger, odd-valued floats: col2im must add each element's taps in (kh, kw) order, as the general
// loop does, so the results agree to the bit.
TEST_CASE("im2col and col2im with kernel 4, stride 2, padding 1 equal the definition bit for bit") {
    for (std::size_t h : {2, 4, 6, 16})
        for (std::size_t w : {2, 4, 10, 64}) {
            const std::size_t c = 3, oh = h / 2, ow = w / 2;
            const gan::kernels::ConvGeometry g{c, h, w, 4, 2, 1, oh, ow};
            std::vector<float> x(c * h * w), cols(g.rows() * g.columns(), -1.0f);
            for (std::size_t i = 0; i < x.size(); ++i) x[i] = float(i % 13) * 0.37f - 1.1f;
            gan::kernels::im2col(gan::cpu{}, g, x.data(), cols.data());
            std::vector<float> expected(cols.size()), r(cols.size()), back(x.size(), 0.25f), back_expected(x.size(), 0.25f);
            for (std::size_t i = 0; i < r.size(); ++i) r[i] = float(i % 11) * 0.29f - 1.3f;
            for (std::size_t ch = 0; ch < c; ++ch)
                for (std::size_t kh = 0; kh < 4; ++kh)
                    for (std::size_t kw = 0; kw < 4; ++kw)
                        for (std::size_t i = 0; i < oh; ++i)
                            for (std::size_t j = 0; j < ow; ++j) {
                                const long ih = long(2 * i + kh) - 1, iw = long(2 * j + kw) - 1;
                                const bool inside = ih >= 0 && ih < long(h) && iw >= 0 && iw < long(w);
                                const std::size_t at = ((ch * 4 + kh) * 4 + kw) * g.columns() + i * ow + j;
                                const std::size_t xi = (ch * h + std::size_t(ih)) * w + std::size_t(iw);
                                expected[at] = inside ? x[xi] : 0.0f;
                                if (inside) back_expected[xi] += r[at];
                            }
            INFO("h ", h, " w ", w);
            CHECK(cols == expected);
            gan::kernels::col2im(gan::cpu{}, g, r.data(), back.data(), true);
            CHECK(back == back_expected);
        }
}

// Over the same small geometries as above: the taps that without_dead_taps leaves out have
// all-zero im2col rows, the ones it keeps have the rows of the trimmed geometry's im2col, and a
// trimmed geometry is found where the input is smaller than the kernel's reach.
TEST_CASE("without_dead_taps leaves out exactly the taps that meet only padding") {
    std::size_t trimmed = 0;
    for (std::size_t k = 1; k <= 5; ++k)
        for (std::size_t s = 1; s <= 3; ++s)
            for (std::size_t p = 0; p <= 2; ++p)
                for (std::size_t h = 1; h <= 7; ++h) {
                    const std::size_t w = h;  // square: trimming needs the same live taps on both axes
                    if (h + 2 * p < k) continue;
                    const std::size_t o = (h + 2 * p - k) / s + 1;
                    const gan::kernels::ConvGeometry g{2, h, w, k, s, p, o, o};
                    const auto t = gan::kernels::without_dead_taps(g);
                    INFO("k ", k, " s ", s, " p ", p, " h ", h);
                    REQUIRE(t.kernel <= k);
                    REQUIRE(t.padding <= p);
                    const std::size_t first = p - t.padding;
                    REQUIRE(first + t.kernel <= k);
                    CHECK((t.channels == g.channels && t.height == h && t.width == w && t.stride == s &&
                           t.out_height == o && t.out_width == o));
                    trimmed += t.kernel < k;

                    std::vector<double> x(2 * h * w), full(g.rows() * g.columns()), live(t.rows() * t.columns());
                    for (std::size_t i = 0; i < x.size(); ++i) x[i] = double(i + 1);
                    gan::kernels::im2col(gan::cpu{}, g, x.data(), full.data());
                    gan::kernels::im2col(gan::cpu{}, t, x.data(), live.data());
                    bool dead_rows_zero = true, live_rows_equal = true;
                    for (std::size_t c = 0; c < 2; ++c)
                        for (std::size_t kh = 0; kh < k; ++kh)
                            for (std::size_t kw = 0; kw < k; ++kw) {
                                const double* row = full.data() + ((c * k + kh) * k + kw) * g.columns();
                                const bool kept = kh >= first && kh < first + t.kernel && kw >= first && kw < first + t.kernel;
                                bool zero = true;
                                for (std::size_t j = 0; j < g.columns(); ++j) zero = zero && row[j] == 0.0;
                                if (!kept) {
                                    dead_rows_zero = dead_rows_zero && zero;
                                    continue;
                                }
                                const double* kept_row =
                                    live.data() + ((c * t.kernel + kh - first) * t.kernel + kw - first) * t.columns();
                                for (std::size_t j = 0; j < g.columns(); ++j)
                                    live_rows_equal = live_rows_equal && row[j] == kept_row[j];
                            }
                    CHECK(dead_rows_zero);
                    CHECK(live_rows_equal);
                    // Kept only where needed: a tap kept at the edge of the range reaches the input.
                    if (t.kernel < k) {
                        bool edge_live = false;  // in row `first` of the kernel, channel 0 (x > 0 everywhere)
                        for (std::size_t kw = first; kw < first + t.kernel; ++kw) {
                            const double* row = full.data() + (first * k + kw) * g.columns();
                            for (std::size_t j = 0; j < g.columns(); ++j) edge_live = edge_live || row[j] != 0.0;
                        }
                        CHECK(edge_live);
                    }
                }
    CHECK(trimmed > 20);
}

TEST_CASE("without_dead_taps on the pix2pix geometries and the cases it leaves alone") {
    using gan::kernels::ConvGeometry;
    using gan::kernels::without_dead_taps;
    // The innermost layers of a U-Net: 2x2 -> 1x1 with k4 s2 p1 keeps taps 1 and 2 of each axis.
    constexpr auto innermost = without_dead_taps(ConvGeometry{512, 2, 2, 4, 2, 1, 1, 1});
    static_assert(innermost.kernel == 2 && innermost.padding == 0);
    // Every other pix2pix layer keeps all its taps.
    for (std::size_t h = 4; h <= 256; h *= 2) {
        const ConvGeometry g{64, h, h, 4, 2, 1, h / 2, h / 2};
        CHECK(without_dead_taps(g).kernel == 4);
    }
    // Different live taps along the two axes (a 2x8 input): left alone.
    CHECK(without_dead_taps(ConvGeometry{8, 2, 8, 4, 2, 1, 1, 4}).kernel == 4);
    // Live taps with a gap (1-pixel input, stride 3, padding 3: taps 0 and 3 reach it): left alone.
    CHECK(without_dead_taps(ConvGeometry{8, 1, 1, 4, 3, 3, 2, 2}).kernel == 4);
}

namespace {
// pack_b straight from the image against pack_b of the column matrix: the same panels, value for
// value, for rows [p0, p0 + kb) and columns [j0, j0 + cols).
template <std::size_t NR>
bool packs_like_im2col(const gan::kernels::ConvGeometry& g, const std::vector<float>& x, const std::vector<float>& cols,
                       std::size_t p0, std::size_t kb, std::size_t j0, std::size_t width) {
    namespace cd = gan::kernels::cpu_detail;
    const std::size_t size = (width + NR - 1) / NR * NR * kb;
    std::vector<float> expected(size, -7.0f), packed(size, 7.0f);
    cd::pack_b<NR>(cd::operand<float>{cols.data(), g.columns(), false}, p0, kb, j0, width, expected.data());
    cd::pack_b<NR>(cd::im2col_operand<float>{g, x.data()}, p0, kb, j0, width, packed.data());
    return packed == expected;
}
}  // namespace

TEST_CASE("the GEMM's panels packed from the image equal those packed from im2col") {
    std::size_t cases = 0;
    const auto check = [&](const gan::kernels::ConvGeometry& g) {
        std::vector<float> x(g.channels * g.height * g.width), cols(g.rows() * g.columns());
        for (std::size_t i = 0; i < x.size(); ++i) x[i] = float(i % 17) * 0.31f - 2.0f;
        gan::kernels::im2col(gan::cpu{}, g, x.data(), cols.data());
        INFO("c ", g.channels, " k ", g.kernel, " s ", g.stride, " p ", g.padding, " h ", g.height, " w ", g.width);
        // Whole K and C; K steps that start past row 0; column ranges that start at a later
        // panel and end inside one (the GEMM's blocks of C).
        for (const std::size_t p0 : {std::size_t(0), std::size_t(4), g.rows() / 2 / 4 * 4}) {
            if (p0 >= g.rows()) continue;
            const std::size_t kb = g.rows() - p0;
            CHECK(packs_like_im2col<16>(g, x, cols, p0, kb, 0, g.columns()));
            CHECK(packs_like_im2col<64>(g, x, cols, p0, kb, 0, g.columns()));
            if (g.columns() > 16) CHECK(packs_like_im2col<16>(g, x, cols, p0, kb, 16, g.columns() - 16));
            if (g.columns() > 64) CHECK(packs_like_im2col<64>(g, x, cols, p0, std::min<std::size_t>(kb, 8), 64, std::min<std::size_t>(40, g.columns() - 64)));
            ++cases;
        }
    };
    for (std::size_t k = 1; k <= 5; ++k)
        for (std::size_t s = 1; s <= 3; ++s)
            for (std::size_t p = 0; p <= 2; ++p)
                for (std::size_t h = 1; h <= 7; ++h)
                    for (std::size_t w = 1; w <= 7; w += 3)
                        if (h + 2 * p >= k && w + 2 * p >= k)
                            check({2, h, w, k, s, p, (h + 2 * p - k) / s + 1, (w + 2 * p - k) / s + 1});
    // The kernel-4, stride-2, padding-1 path: whole output rows per panel (widths 4–64), and
    // output widths that do not divide a panel (12, 40), which take the general path.
    for (std::size_t h : {2, 8, 16, 24})
        for (std::size_t w : {8, 16, 24, 32, 80, 128})
            check({3, h, w, 4, 2, 1, h / 2, w / 2});
    CHECK(cases > 900);
}

TEST_CASE_TEMPLATE("conv_forward_implicit equals im2col + gemm with the packed weights bit for bit", T, float, double) {
    std::mt19937 rng(23);
    std::uniform_real_distribution<double> value(-1.0, 1.0);
    // Large enough to fork on two threads (over 2^21 multiply-adds), with K past one K step and a
    // partial last panel of C; a stride-1 geometry; the innermost layer's trimmed 2 × 2 kernel.
    const gan::kernels::ConvGeometry geometries[] = {
        {20, 24, 24, 4, 2, 1, 12, 12}, {64, 16, 16, 4, 2, 1, 8, 8}, {7, 11, 9, 3, 1, 1, 11, 9}, {9, 6, 6, 2, 2, 1, 4, 4}};
    for (const auto& g : geometries)
        for (const std::size_t out_channels : {std::size_t(5), std::size_t(64)}) {
            std::vector<T> x(g.channels * g.height * g.width), w(out_channels * g.rows()), cols(g.rows() * g.columns());
            for (auto& v : x) v = T(value(rng));
            for (auto& v : w) v = T(value(rng));
            const gan::kernels::PackedA<T> packed(out_channels, g.rows(), gan::kernels::Transpose::no, w.data(), g.rows());
            const gan::kernels::GemmShape s{out_channels, g.columns(), g.rows(), gan::kernels::Transpose::no,
                                            gan::kernels::Transpose::no, g.rows(), g.columns(), g.columns()};
            INFO("c ", g.channels, " k ", g.kernel, " s ", g.stride, " h ", g.height, " out channels ", out_channels);
            for (int threads : {1, 2}) {
                tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
                std::vector<T> expected(out_channels * g.columns()), y(expected.size(), T(3));
                gan::kernels::im2col(gan::cpu{}, g, x.data(), cols.data());
                gan::kernels::gemm(gan::cpu{}, s, packed, cols.data(), expected.data(), false);
                gan::kernels::conv_forward_implicit(gan::cpu{}, g, packed, x.data(), y.data());
                CHECK(std::memcmp(y.data(), expected.data(), y.size() * sizeof(T)) == 0);
            }
        }
    const gan::kernels::ConvGeometry g{2, 4, 4, 3, 1, 1, 4, 4};
    const gan::kernels::PackedA<T> wrong(3, 17, gan::kernels::Transpose::no, std::vector<T>(51).data(), 17);
    std::vector<T> x(32), y(48);
    CHECK_THROWS_AS(gan::kernels::conv_forward_implicit(gan::cpu{}, g, wrong, x.data(), y.data()), gan::shape_error);
}

TEST_CASE_TEMPLATE("conv_transpose_forward equals gemm + col2im bit for bit, with W packed or as stored", T, float,
                   double) {
    std::mt19937 rng(29);
    std::uniform_real_distribution<double> value(-1.0, 1.0);
    // g is the geometry of the convolution the transposed one is the adjoint of: g.channels output
    // channels of g.height × g.width from g.columns() input pixels. Large enough to fork (over 2^21
    // multiply-adds) with channel counts that split unevenly into groups of 3 (lcm(6, 16) = 48
    // rows); a stride-1 geometry (9 taps a channel: lcm(6, 9) = 18 rows); a trimmed 2 × 2 kernel.
    const gan::kernels::ConvGeometry geometries[] = {{64, 32, 32, 4, 2, 1, 16, 16},
                                                     {7, 24, 24, 4, 2, 1, 12, 12},
                                                     {20, 11, 9, 3, 1, 1, 11, 9},
                                                     {9, 4, 4, 2, 2, 1, 3, 3}};
    for (const auto& g : geometries)
        for (const std::size_t in_channels : {std::size_t(5), std::size_t(300)}) {
            std::vector<T> x(in_channels * g.columns()), w(in_channels * g.rows()), cols(g.rows() * g.columns());
            for (auto& v : x) v = T(value(rng));
            for (auto& v : w) v = T(value(rng));
            // Wᵀ from W stored [in][C·K·K], as ConvTranspose2d packs it.
            const gan::kernels::PackedA<T> packed(g.rows(), in_channels, gan::kernels::Transpose::yes, w.data(), g.rows());
            const gan::kernels::GemmShape s{g.rows(), g.columns(), in_channels, gan::kernels::Transpose::yes,
                                            gan::kernels::Transpose::no, g.rows(), g.columns(), g.columns()};
            INFO("c ", g.channels, " k ", g.kernel, " s ", g.stride, " h ", g.height, " in channels ", in_channels);
            for (int threads : {1, 2}) {
                tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
                std::vector<T> expected(g.channels * g.height * g.width, T(5)), y(expected.size(), T(3));
                gan::kernels::gemm(gan::cpu{}, s, packed, x.data(), cols.data(), false);
                gan::kernels::col2im(gan::cpu{}, g, cols.data(), expected.data(), false);
                gan::kernels::conv_transpose_forward(gan::cpu{}, g, packed, x.data(), cols.data(), y.data());
                CHECK(std::memcmp(y.data(), expected.data(), y.size() * sizeof(T)) == 0);
                // W as stored, packed by the product's tasks (the training passes).
                std::fill(y.begin(), y.end(), T(3));
                gan::kernels::conv_transpose_forward(gan::cpu{}, g, w.data(), in_channels, x.data(), cols.data(), y.data());
                CHECK(std::memcmp(y.data(), expected.data(), y.size() * sizeof(T)) == 0);
            }
        }
    // Weights packed for another geometry, or an input of at most four pixels: refused.
    const gan::kernels::ConvGeometry g{2, 4, 4, 4, 2, 1, 2, 2};
    const gan::kernels::PackedA<T> packed(32, 3, gan::kernels::Transpose::yes, std::vector<T>(96).data(), 32);
    std::vector<T> x(12), cols(128), y(32);
    CHECK_THROWS_AS(gan::kernels::conv_transpose_forward(gan::cpu{}, g, packed, x.data(), cols.data(), y.data()),
                    gan::shape_error);
    CHECK_THROWS_AS(gan::kernels::conv_transpose_forward(gan::cpu{}, g, std::vector<T>(96).data(), 3, x.data(),
                                                         cols.data(), y.data()),
                    gan::shape_error);
    const gan::kernels::ConvGeometry wider{3, 6, 6, 4, 2, 1, 3, 3};  // 48 rows, 9 pixels
    std::vector<T> x9(27), cols9(48 * 9), y9(108);
    CHECK_THROWS_AS(
        gan::kernels::conv_transpose_forward(gan::cpu{}, wider, packed, x9.data(), cols9.data(), y9.data()),
        gan::shape_error);
}

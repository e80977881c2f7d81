// im2col against its definition, and col2im as its exact adjoint, over every small geometry:
// kernels 1–5, strides 1–3, paddings 0–2, sizes 1–7 (wherever the window fits).
#include <doctest/doctest.h>

#include <vector>

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

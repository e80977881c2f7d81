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

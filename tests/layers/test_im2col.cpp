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

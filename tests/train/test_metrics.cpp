#include <doctest/doctest.h>

#include <gan/core/random.hpp>
#include <gan/train/metrics.hpp>

#include <cmath>
#include <span>
#include <vector>

namespace m = gan::metrics;
using V = std::vector<double>;
using S = std::span<const double>;

TEST_CASE("MSE and PSNR by hand") {
    const V a{0.0, 0.5, 1.0, 0.25}, b{0.5, 0.5, 0.0, 0.25};
    CHECK(m::mse(S(a), S(b)) == doctest::Approx((0.25 + 0 + 1 + 0) / 4));
    CHECK(m::psnr(S(a), S(b)) == doctest::Approx(10 * std::log10(1 / 0.3125)));
    CHECK(std::isinf(m::psnr(S(a), S(a))));
    const V shorter{0.0};
    CHECK_THROWS_AS(m::mse(S(a), S(shorter)), gan::shape_error);
}

TEST_CASE("Pearson correlation: invariant to affine maps, sign flips, 0 for constants") {
    gan::Random rng(5);
    V a(500), b(500), c(500), constant(500, 0.3);
    for (std::size_t i = 0; i < a.size(); ++i) {
        a[i] = rng.uniform();
        b[i] = 3.0 * a[i] + 1.0;
        c[i] = -0.5 * a[i];
    }
    CHECK(m::pearson(S(a), S(b)) == doctest::Approx(1.0));
    CHECK(m::pearson(S(a), S(c)) == doctest::Approx(-1.0));
    CHECK(m::pearson(S(a), S(constant)) == 0.0);
    // Two independent samples of 500: |r| is below 4 standard errors (4/sqrt(500) = 0.18).
    V d(500);
    for (double& v : d) v = rng.uniform();
    CHECK(std::abs(m::pearson(S(a), S(d))) < 0.18);
}

TEST_CASE("SSIM: 1 for identical images, closed form for constant images, falls with noise") {
    gan::Random rng(9);
    const std::size_t h = 24, w = 20;
    V x(h * w);
    for (double& v : x) v = rng.uniform();
    CHECK(m::ssim(S(x), S(x), h, w) == doctest::Approx(1.0));
    // Constant images a and b: variances and covariance vanish, so SSIM = (2ab + C1)/(a² + b² + C1).
    const double a = 0.2, b = 0.7, c1 = 0.01 * 0.01;
    const V ca(h * w, a), cb(h * w, b);
    CHECK(m::ssim(S(ca), S(cb), h, w) == doctest::Approx((2 * a * b + c1) / (a * a + b * b + c1)).epsilon(1e-12));
    V noisy = x, noisier = x;
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double z = rng.normal();
        noisy[i] += 0.05 * z;
        noisier[i] += 0.3 * z;
    }
    const double s1 = m::ssim(S(x), S(noisy), h, w), s2 = m::ssim(S(x), S(noisier), h, w);
    CHECK(s1 < 1.0);
    CHECK(s2 < s1);
    CHECK(m::ssim(S(noisy), S(x), h, w) == doctest::Approx(s1));  // symmetric
    CHECK_THROWS_AS(m::ssim(S(x), S(x), 10, 48), gan::shape_error);
    CHECK_THROWS_AS(m::ssim(S(x), S(x), 20, 20), gan::shape_error);
}

TEST_CASE("summary statistics: mean, median, spread, percentile") {
    const auto s = m::summarize({4, 1, 3, 2, 100});
    CHECK(s.count == 5);
    CHECK(s.mean == doctest::Approx(22));
    CHECK(s.median == 3);
    CHECK(s.min == 1);
    CHECK(s.max == 100);
    CHECK(s.p90 == doctest::Approx(4 + 0.6 * 96));  // position 3.6 between 4 and 100
    CHECK(s.stddev == doctest::Approx(std::sqrt((18 * 18 + 21 * 21 + 19 * 19 + 20 * 20 + 78 * 78) / 4.0)));
    CHECK(m::summarize({1, 2, 3, 4}).median == 2.5);
    CHECK(m::summarize({}).count == 0);
}

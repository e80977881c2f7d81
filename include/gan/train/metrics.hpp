#pragma once
// Image-quality metrics for predicted against target images with values in 0..1: mean squared
// error, PSNR, SSIM and Pearson correlation. Computed in double whatever the input type, so a
// float prediction and a double target compare exactly as the numbers say.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "gan/core/error.hpp"

GAN_NAMESPACE_BEGIN
namespace metrics {

namespace detail {
template <class A, class B>
void check_same_size(std::span<const A> a, std::span<const B> b, const char* metric) {
    if (a.size() != b.size())
        throw shape_error(std::string(metric) + ": the images have " + std::to_string(a.size()) + " and " +
                          std::to_string(b.size()) + " pixels; compare images of the same size");
    if (a.empty()) throw shape_error(std::string(metric) + ": the images are empty");
}
}  // namespace detail

template <class A, class B>
double mse(std::span<const A> prediction, std::span<const B> target) {
    detail::check_same_size(prediction, target, "mse");
    double sum = 0;
    for (std::size_t i = 0; i < prediction.size(); ++i) {
        const double d = double(prediction[i]) - double(target[i]);
        sum += d * d;
    }
    return sum / double(prediction.size());
}

// Peak signal-to-noise ratio in dB for a data range of `peak` (1 for images in 0..1);
// +infinity for identical images.
template <class A, class B>
double psnr(std::span<const A> prediction, std::span<const B> target, double peak = 1.0) {
    const double e = mse(prediction, target);
    return e == 0 ? std::numeric_limits<double>::infinity() : 10.0 * std::log10(peak * peak / e);
}

// Pearson correlation coefficient; 0 when either image is constant (no linear relation to find).
template <class A, class B>
double pearson(std::span<const A> a, std::span<const B> b) {
    detail::check_same_size(a, b, "pearson");
    const double n = double(a.size());
    double ma = 0, mb = 0;
    bool a_constant = true, b_constant = true;
    for (std::size_t i = 0; i < a.size(); ++i) {
        ma += double(a[i]);
        mb += double(b[i]);
        a_constant = a_constant && a[i] == a[0];
        b_constant = b_constant && b[i] == b[0];
    }
    // Decided exactly: the rounded mean of a constant image leaves tiny spurious deviations.
    if (a_constant || b_constant) return 0.0;
    ma /= n;
    mb /= n;
    double sab = 0, saa = 0, sbb = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const double da = double(a[i]) - ma, db = double(b[i]) - mb;
        sab += da * db;
        saa += da * da;
        sbb += db * db;
    }
    return sab / std::sqrt(saa * sbb);
}

// Structural similarity (Wang, Bovik, Sheikh & Simoncelli, IEEE TIP 13(4), 2004) as in the
// authors' reference implementation: an 11×11 Gaussian window with σ = 1.5, K1 = 0.01,
// K2 = 0.03, dynamic range L = `peak`, averaged over the positions where the window fits
// entirely inside the image. Images are height × width, row-major.
template <class A, class B>
double ssim(std::span<const A> x, std::span<const B> y, std::size_t height, std::size_t width, double peak = 1.0) {
    detail::check_same_size(x, y, "ssim");
    constexpr int window = 11;
    if (height * width != x.size())
        throw shape_error("ssim: " + std::to_string(x.size()) + " pixels do not form a " + std::to_string(height) +
                          "×" + std::to_string(width) + " image");
    if (height < window || width < window)
        throw shape_error("ssim needs images of at least 11×11 pixels (the window size); these are " +
                          std::to_string(height) + "×" + std::to_string(width));
    std::array<double, window> g{};
    double total = 0;
    for (int i = 0; i < window; ++i) {
        const double d = i - window / 2;
        g[i] = std::exp(-d * d / (2 * 1.5 * 1.5));
        total += g[i];
    }
    for (double& v : g) v /= total;
    const double c1 = (0.01 * peak) * (0.01 * peak), c2 = (0.03 * peak) * (0.03 * peak);

    double sum = 0;
    const std::size_t rows = height - window + 1, cols = width - window + 1;
    for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t c = 0; c < cols; ++c) {
            double mx = 0, my = 0, sxx = 0, syy = 0, sxy = 0;
            for (int i = 0; i < window; ++i)
                for (int j = 0; j < window; ++j) {
                    const double w = g[i] * g[j];
                    const std::size_t k = (r + std::size_t(i)) * width + c + std::size_t(j);
                    const double a = double(x[k]), b = double(y[k]);
                    mx += w * a;
                    my += w * b;
                    sxx += w * a * a;
                    syy += w * b * b;
                    sxy += w * a * b;
                }
            const double vx = sxx - mx * mx, vy = syy - my * my, cxy = sxy - mx * my;
            sum += ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2));
        }
    return sum / double(rows * cols);
}

// All four at once, as written to metrics.json.
struct ImageScores {
    double mse = 0, psnr = 0, ssim = 0, pearson = 0;
};

template <class A, class B>
ImageScores score(std::span<const A> prediction, std::span<const B> target, std::size_t height, std::size_t width) {
    return {mse(prediction, target), psnr(prediction, target), ssim(prediction, target, height, width),
            pearson(prediction, target)};
}

// Summary statistics of per-image scores: the published result was a mean dominated by a few bad
// cases (mean 0.0188, median 0.0017), so the median and spread are reported beside the mean.
struct Summary {
    double mean = 0, median = 0, stddev = 0, min = 0, max = 0, p90 = 0;
    std::size_t count = 0;
};

inline Summary summarize(std::vector<double> values) {
    Summary s;
    s.count = values.size();
    if (values.empty()) return s;
    std::sort(values.begin(), values.end());
    double sum = 0;
    for (double v : values) sum += v;
    s.mean = sum / double(values.size());
    double var = 0;
    for (double v : values) var += (v - s.mean) * (v - s.mean);
    s.stddev = values.size() > 1 ? std::sqrt(var / double(values.size() - 1)) : 0.0;
    const std::size_t n = values.size();
    s.median = n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
    s.min = values.front();
    s.max = values.back();
    // Linear interpolation between order statistics (NumPy's default percentile rule).
    const double pos = 0.9 * double(n - 1);
    const std::size_t lo = std::size_t(pos);
    const std::size_t hi = std::min(lo + 1, n - 1);
    s.p90 = values[lo] + (pos - double(lo)) * (values[hi] - values[lo]);
    return s;
}

}  // namespace metrics
GAN_NAMESPACE_END

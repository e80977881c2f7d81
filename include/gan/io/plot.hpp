#pragma once
// Line plots (loss curves) drawn into a Raster, to be written with io::write_png.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "gan/core/error.hpp"
#include "gan/io/raster.hpp"

GAN_NAMESPACE_BEGIN
namespace io {

struct Series {
    std::string name;
    std::vector<double> values;  // y at x = 0, 1, 2, ...
    Rgb color{31, 119, 180};
};

struct LinePlotOptions {
    int width = 960, height = 540;
    std::string title;
    std::string x_label = "iteration";
    bool log_y = false;            // for losses that span decades
    std::size_t smoothing = 1;     // trailing moving-average window; 1 draws the raw values
};

// A qualitative palette that stays distinguishable in gray print (Tableau 10's first colours).
inline Rgb palette(std::size_t i) {
    static constexpr Rgb colors[] = {{31, 119, 180}, {255, 127, 14}, {44, 160, 44}, {214, 39, 40},
                                     {148, 103, 189}, {140, 86, 75}, {227, 119, 194}, {127, 127, 127}};
    return colors[i % 8];
}

namespace detail {

inline std::vector<double> moving_average(const std::vector<double>& v, std::size_t window) {
    if (window <= 1) return v;
    std::vector<double> out(v.size());
    double sum = 0;
    std::size_t finite = 0;
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (std::isfinite(v[i])) { sum += v[i]; ++finite; }
        if (i >= window && std::isfinite(v[i - window])) { sum -= v[i - window]; --finite; }
        out[i] = finite ? sum / double(finite) : std::numeric_limits<double>::quiet_NaN();
    }
    return out;
}

// Tick positions at 1, 2 or 5 times a power of ten, about `target` of them over [lo, hi].
inline std::vector<double> nice_ticks(double lo, double hi, int target) {
    const double raw = (hi - lo) / std::max(target, 1);
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    double step = magnitude;
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (m * magnitude >= raw) { step = m * magnitude; break; }
    std::vector<double> ticks;
    for (double t = std::ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push_back(std::abs(t) < step * 1e-9 ? 0.0 : t);
    return ticks;
}

inline std::string tick_label(double v) {
    char text[32];
    std::snprintf(text, sizeof text, "%.3g", v);
    return text;
}

}  // namespace detail

inline Raster plot_lines(const std::vector<Series>& series, const LinePlotOptions& options = {}) {
    if (series.empty()) throw invalid_argument("plot_lines: nothing to plot; pass at least one series");
    std::vector<std::vector<double>> ys;
    std::size_t length = 0;
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (const auto& s : series) {
        ys.push_back(detail::moving_average(s.values, options.smoothing));
        for (double& v : ys.back()) {
            if (options.log_y) v = v > 0 ? std::log10(v) : std::numeric_limits<double>::quiet_NaN();
            if (std::isfinite(v)) { lo = std::min(lo, v); hi = std::max(hi, v); }
        }
        length = std::max(length, s.values.size());
    }
    if (!(lo <= hi)) { lo = 0; hi = 1; }                  // nothing finite to draw
    if (hi - lo < 1e-12) { lo -= 0.5; hi += 0.5; }        // a flat line gets a visible band
    const double pad = 0.05 * (hi - lo);
    lo -= pad;
    hi += pad;

    Raster image(options.width, options.height);
    const Rgb ink{40, 40, 40}, grid{225, 225, 225};
    const int left = 70, right = 20, top = options.title.empty() ? 20 : 40, bottom = 45;
    const int plot_w = options.width - left - right, plot_h = options.height - top - bottom;
    const double x_max = double(std::max<std::size_t>(length, 2) - 1);
    auto px = [&](double x) { return left + int(std::lround(x / x_max * (plot_w - 1))); };
    auto py = [&](double y) { return top + plot_h - 1 - int(std::lround((y - lo) / (hi - lo) * (plot_h - 1))); };

    for (double t : detail::nice_ticks(lo, hi, 6)) {
        const int y = py(t);
        image.line(left, y, left + plot_w - 1, y, grid);
        const std::string label = detail::tick_label(options.log_y ? std::pow(10.0, t) : t);
        image.text(left - 6 - Raster::text_width(label), y - 3, label, ink);
    }
    for (double t : detail::nice_ticks(0, x_max, 8)) {
        const int x = px(t);
        image.line(x, top, x, top + plot_h - 1, grid);
        const std::string label = detail::tick_label(t);
        image.text(x - Raster::text_width(label) / 2, top + plot_h + 6, label, ink);
    }
    image.rect(left, top, plot_w, plot_h, ink);
    if (!options.title.empty()) image.text(left, 14, options.title, ink, 2);
    image.text(left + plot_w / 2 - Raster::text_width(options.x_label) / 2, options.height - 16, options.x_label, ink);

    for (std::size_t k = 0; k < series.size(); ++k) {
        const auto& y = ys[k];
        for (std::size_t i = 1; i < y.size(); ++i)
            if (std::isfinite(y[i - 1]) && std::isfinite(y[i]))
                image.line(px(double(i - 1)), py(y[i - 1]), px(double(i)), py(y[i]), series[k].color);
        if (y.size() == 1 && std::isfinite(y[0])) image.fill_rect(px(0) - 1, py(y[0]) - 1, 3, 3, series[k].color);
        // Legend, top right, one entry per series.
        const int ly = top + 8 + int(k) * 12;
        const int lx = left + plot_w - 12 - Raster::text_width(series[k].name) - 24;
        image.fill_rect(lx, ly + 2, 18, 3, series[k].color);
        image.text(lx + 24, ly, series[k].name, ink);
    }
    return image;
}

}  // namespace io
GAN_NAMESPACE_END

#pragma once
// The figure people look at after training: for a few test samples, one row each of
// input | prediction | target | error map, labelled, as an RGB raster for io::write_png.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "gan/core/error.hpp"
#include "gan/io/raster.hpp"

GAN_NAMESPACE_BEGIN
namespace io {

struct GridRow {
    std::string name;
    std::vector<float> input, prediction, target;  // height × width each, values 0..1
};

// A white → dark red ramp for |prediction − target|: small errors fade into the page.
inline Rgb error_color(double t) {
    t = std::clamp(t, 0.0, 1.0);
    return {std::uint8_t(255 - 115 * t), std::uint8_t(255 - 255 * std::sqrt(t)), std::uint8_t(255 - 255 * std::sqrt(t))};
}

inline Raster prediction_grid(const std::vector<GridRow>& rows, int height, int width, int zoom = 2) {
    if (rows.empty()) throw invalid_argument("prediction_grid: no rows to draw");
    const std::size_t pixels = std::size_t(height) * std::size_t(width);
    double max_error = 0;
    for (const auto& r : rows) {
        if (r.input.size() != pixels || r.prediction.size() != pixels || r.target.size() != pixels)
            throw shape_error("prediction_grid: row '" + r.name + "' does not hold " + std::to_string(height) + "x" +
                              std::to_string(width) + " images");
        for (std::size_t i = 0; i < pixels; ++i) max_error = std::max(max_error, double(std::abs(r.prediction[i] - r.target[i])));
    }
    if (max_error == 0) max_error = 1;
    const int cell_w = width * zoom, cell_h = height * zoom, gap = 8, label_h = 14, left = 8;
    const int columns = 4;
    Raster image(left + columns * (cell_w + gap), 22 + int(rows.size()) * (cell_h + label_h + gap));
    const Rgb ink{40, 40, 40};
    char error_title[48];
    std::snprintf(error_title, sizeof error_title, "|ERROR| 0-%.3g", max_error);
    const std::string titles[columns] = {"INPUT", "PREDICTION", "TARGET", error_title};
    for (int c = 0; c < columns; ++c) image.text(left + c * (cell_w + gap), 6, titles[c], ink);
    for (std::size_t k = 0; k < rows.size(); ++k) {
        const int y = 22 + int(k) * (cell_h + label_h + gap);
        const auto& r = rows[k];
        double mse = 0;
        for (std::size_t i = 0; i < pixels; ++i) mse += double(r.prediction[i] - r.target[i]) * (r.prediction[i] - r.target[i]);
        char label[96];
        std::snprintf(label, sizeof label, "%s  MSE %.4f", r.name.c_str(), mse / double(pixels));
        image.text(left, y, label, ink);
        const int top = y + label_h;
        image.gray_image(left, top, r.input.data(), height, width, 0.0, 1.0, zoom);
        image.gray_image(left + (cell_w + gap), top, r.prediction.data(), height, width, 0.0, 1.0, zoom);
        image.gray_image(left + 2 * (cell_w + gap), top, r.target.data(), height, width, 0.0, 1.0, zoom);
        for (int py = 0; py < height; ++py)
            for (int px = 0; px < width; ++px) {
                const std::size_t i = std::size_t(py) * std::size_t(width) + std::size_t(px);
                image.fill_rect(left + 3 * (cell_w + gap) + px * zoom, top + py * zoom, zoom, zoom,
                                error_color(std::abs(r.prediction[i] - r.target[i]) / max_error));
            }
        for (int c = 0; c < columns; ++c) image.rect(left + c * (cell_w + gap) - 1, top - 1, cell_w + 2, cell_h + 2, {200, 200, 200});
    }
    return image;
}

}  // namespace io
GAN_NAMESPACE_END

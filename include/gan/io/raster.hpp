#pragma once
// A small RGB raster for the pictures gan writes itself: loss curves, prediction grids, error
// maps. Enough drawing (lines, rectangles, 5×7 text) to label them, and nothing more.
#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <string_view>
#include <vector>

#include "gan/version.hpp"

GAN_NAMESPACE_BEGIN
namespace io {

struct Rgb {
    std::uint8_t r = 0, g = 0, b = 0;
};

namespace detail {

// 5×7 glyphs, one string of 35 characters per glyph ('#' = ink), rows top to bottom.
struct Glyph {
    char c;
    const char* rows;
};
inline constexpr Glyph font5x7[] = {
    {'0', " ### #   ##  ### # ###  ##   # ### "}, {'1', "  #   ##    #    #    #    #   ### "},
    {'2', " ### #   #    #   #   #   #   #####"}, {'3', "#####   #   #     #     ##   # ### "},
    {'4', "   #   ##  # # #  # #####   #    # "}, {'5', "######    ####     #    ##   # ### "},
    {'6', "  ##  #   #    #### #   ##   # ### "}, {'7', "#####    #   #   #   #    #    #   "},
    {'8', " ### #   ##   # ### #   ##   # ### "}, {'9', " ### #   ##   # ####    #   #  ##  "},
    {'A', " ### #   ##   #######   ##   ##   #"}, {'B', "#### #   ##   ##### #   ##   ##### "},
    {'C', " ### #   ##    #    #    #   # ### "}, {'D', "###  #  # #   ##   ##   ##  # ###  "},
    {'E', "######    #    #### #    #    #####"}, {'F', "######    #    #### #    #    #    "},
    {'G', " ### #   ##    # ####   ##   # ####"}, {'H', "#   ##   ##   #######   ##   ##   #"},
    {'I', " ###   #    #    #    #    #   ### "}, {'J', "  ###   #    #    #    # #  #  ##  "},
    {'K', "#   ##  # # #  ##   # #  #  # #   #"}, {'L', "#    #    #    #    #    #    #####"},
    {'M', "#   ### ### # ## # ##   ##   ##   #"}, {'N', "#   ##   ###  ## # ##  ###   ##   #"},
    {'O', " ### #   ##   ##   ##   ##   # ### "}, {'P', "#### #   ##   ##### #    #    #    "},
    {'Q', " ### #   ##   ##   ## # ##  #  ## #"}, {'R', "#### #   ##   ##### # #  #  # #   #"},
    {'S', " #####    #     ###     #    ##### "}, {'T', "#####  #    #    #    #    #    #  "},
    {'U', "#   ##   ##   ##   ##   ##   # ### "}, {'V', "#   ##   ##   ##   ##   # # #   #  "},
    {'W', "#   ##   ##   ## # ## # ## # # # # "}, {'X', "#   ##   # # #   #   # # #   ##   #"},
    {'Y', "#   ##   # # #   #    #    #    #  "}, {'Z', "#####    #   #   #   #   #    #####"},
    {'.', "                          ##   ##  "}, {',', "                     ##    #   #   "},
    {'-', "               #####               "}, {'+', "       #    #  #####  #    #       "},
    {'_', "                              #####"}, {':', "      ##   ##        ##   ##       "},
    {'/', "    #    #   #   #   #   #    #    "}, {'=', "          #####     #####          "},
    {'(', "   #   #   #    #    #     #     # "}, {')', " #     #     #    #    #   #   #   "},
    {'%', "##   ##  #   #   #   #   #  ##   ##"}, {'>', " #     #     #     #   #   #   #   "},
    {'<', "   #   #   #   #     #     #     # "}, {'*', "     # # # ### ##### ### # # #     "},
    {'|', "  #    #    #    #    #    #    #  "},
};

consteval bool every_glyph_is_5x7() {
    for (const auto& g : font5x7)
        if (std::string_view(g.rows).size() != 35) return false;
    return true;
}
static_assert(every_glyph_is_5x7(), "each glyph needs 7 rows of 5 characters");

inline const char* glyph_rows(char c) {
    const char upper = char(std::toupper(static_cast<unsigned char>(c)));
    for (const auto& g : font5x7)
        if (g.c == upper) return g.rows;
    return nullptr;  // unknown characters (and space) are left blank
}

}  // namespace detail

class Raster {
public:
    static constexpr int glyph_width = 5, glyph_height = 7, glyph_advance = 6;

    Raster(int width, int height, Rgb background = {255, 255, 255})
        : width_(width), height_(height), pixels_(std::size_t(width) * std::size_t(height), background) {}

    int width() const { return width_; }
    int height() const { return height_; }
    const std::vector<Rgb>& pixels() const { return pixels_; }

    void set(int x, int y, Rgb c) {
        if (x >= 0 && y >= 0 && x < width_ && y < height_) pixels_[std::size_t(y) * std::size_t(width_) + std::size_t(x)] = c;
    }
    Rgb get(int x, int y) const { return pixels_[std::size_t(y) * std::size_t(width_) + std::size_t(x)]; }

    void fill_rect(int x0, int y0, int w, int h, Rgb c) {
        for (int y = y0; y < y0 + h; ++y)
            for (int x = x0; x < x0 + w; ++x) set(x, y, c);
    }
    void rect(int x0, int y0, int w, int h, Rgb c) {
        line(x0, y0, x0 + w - 1, y0, c);
        line(x0, y0 + h - 1, x0 + w - 1, y0 + h - 1, c);
        line(x0, y0, x0, y0 + h - 1, c);
        line(x0 + w - 1, y0, x0 + w - 1, y0 + h - 1, c);
    }
    // Bresenham.
    void line(int x0, int y0, int x1, int y1, Rgb c) {
        const int dx = std::abs(x1 - x0), sx = x0 < x1 ? 1 : -1;
        const int dy = -std::abs(y1 - y0), sy = y0 < y1 ? 1 : -1;
        int err = dx + dy;
        for (;;) {
            set(x0, y0, c);
            if (x0 == x1 && y0 == y1) break;
            const int e2 = 2 * err;
            if (e2 >= dy) { err += dy; x0 += sx; }
            if (e2 <= dx) { err += dx; y0 += sy; }
        }
    }
    // Text in 5×7 capitals with its top-left corner at (x, y); returns the width drawn.
    int text(int x, int y, std::string_view s, Rgb c, int scale = 1) {
        for (std::size_t i = 0; i < s.size(); ++i) {
            const char* rows = detail::glyph_rows(s[i]);
            if (!rows) continue;
            for (int gy = 0; gy < glyph_height; ++gy)
                for (int gx = 0; gx < glyph_width; ++gx)
                    if (rows[gy * glyph_width + gx] == '#')
                        fill_rect(x + (int(i) * glyph_advance + gx) * scale, y + gy * scale, scale, scale, c);
        }
        return int(s.size()) * glyph_advance * scale;
    }
    static int text_width(std::string_view s, int scale = 1) { return int(s.size()) * glyph_advance * scale; }

    // Copies a gray image (values mapped from [low, high], clipped) with its top-left at (x, y),
    // each source pixel drawn as a zoom×zoom block. `invert` draws high values dark, the
    // convention of diffraction figures.
    template <class T>
    void gray_image(int x, int y, const T* values, int rows, int cols, double low, double high, int zoom = 1,
                    bool invert = false) {
        for (int r = 0; r < rows; ++r)
            for (int c = 0; c < cols; ++c) {
                double v = (double(values[std::size_t(r) * std::size_t(cols) + std::size_t(c)]) - low) / (high - low);
                v = std::isnan(v) ? 0.0 : std::clamp(v, 0.0, 1.0);
                if (invert) v = 1.0 - v;
                const auto level = std::uint8_t(std::lround(255 * v));
                fill_rect(x + c * zoom, y + r * zoom, zoom, zoom, {level, level, level});
            }
    }

private:
    int width_, height_;
    std::vector<Rgb> pixels_;
};

}  // namespace io
GAN_NAMESPACE_END

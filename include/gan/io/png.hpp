#pragma once
// Grayscale PNG images (8- and 16-bit) through libpng, values mapped to and from 0..1.
//
// Include this header only in programs that link libpng (CMake target gan::png). Colour or
// palette images are converted to gray on reading (ITU-R 601 weights), alpha is dropped.
#include <png.h>

#include <algorithm>
#include <cmath>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "gan/core/dynamic_tensor.hpp"
#include "gan/io/atomic_file.hpp"
#include "gan/io/raster.hpp"

GAN_NAMESPACE_BEGIN
namespace io {

namespace detail {

// libpng reports errors by longjmp. Everything between setjmp and a possible longjmp below is
// trivially destructible (C++ forbids skipping destructors that way); buffers are allocated by
// the callers outside those regions.
struct PngSession {
    png_structp png = nullptr;
    png_infop info = nullptr;
    std::FILE* file = nullptr;
    bool writing = false;
    char message[256] = {};

    ~PngSession() {
        if (writing) png_destroy_write_struct(png ? &png : nullptr, info ? &info : nullptr);
        else png_destroy_read_struct(png ? &png : nullptr, info ? &info : nullptr, nullptr);
        if (file) std::fclose(file);
    }
};

inline void png_on_error(png_structp png, png_const_charp message) {
    auto* session = static_cast<PngSession*>(png_get_error_ptr(png));
    std::snprintf(session->message, sizeof session->message, "%s", message);
    std::longjmp(png_jmpbuf(png), 1);
}
inline void png_on_warning(png_structp, png_const_charp) {}

struct PngLayout {
    png_uint_32 width = 0, height = 0;
    int bit_depth = 0;
    int color_type = PNG_COLOR_TYPE_GRAY;
};

inline bool png_read_header(PngSession& s, PngLayout& layout) {
    if (setjmp(png_jmpbuf(s.png))) return false;
    png_init_io(s.png, s.file);
    png_set_sig_bytes(s.png, 8);
    png_read_info(s.png, s.info);
    const int color = png_get_color_type(s.png, s.info);
    if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(s.png);
    if (color == PNG_COLOR_TYPE_GRAY && png_get_bit_depth(s.png, s.info) < 8) png_set_expand_gray_1_2_4_to_8(s.png);
    if (color & PNG_COLOR_MASK_ALPHA) png_set_strip_alpha(s.png);
    if (png_get_valid(s.png, s.info, PNG_INFO_tRNS)) {
        png_set_tRNS_to_alpha(s.png);
        png_set_strip_alpha(s.png);
    }
    if (color == PNG_COLOR_TYPE_RGB || color == PNG_COLOR_TYPE_RGB_ALPHA || color == PNG_COLOR_TYPE_PALETTE)
        png_set_rgb_to_gray_fixed(s.png, 1, 29900, 58700);  // ITU-R 601, as Pillow's convert("L")
    if (png_get_bit_depth(s.png, s.info) == 16) png_set_swap(s.png);  // PNG is big-endian
    png_read_update_info(s.png, s.info);
    layout.width = png_get_image_width(s.png, s.info);
    layout.height = png_get_image_height(s.png, s.info);
    layout.bit_depth = png_get_bit_depth(s.png, s.info);
    return png_get_channels(s.png, s.info) == 1;
}

inline bool png_read_rows(PngSession& s, png_bytep* rows) {
    if (setjmp(png_jmpbuf(s.png))) return false;
    png_read_image(s.png, rows);
    png_read_end(s.png, nullptr);
    return true;
}

inline bool png_write_rows(PngSession& s, const PngLayout& layout, png_bytep* rows) {
    if (setjmp(png_jmpbuf(s.png))) return false;
    png_init_io(s.png, s.file);
    png_set_IHDR(s.png, s.info, layout.width, layout.height, layout.bit_depth, layout.color_type,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(s.png, s.info);
    if (layout.bit_depth == 16) png_set_swap(s.png);
    png_write_image(s.png, rows);
    png_write_end(s.png, nullptr);
    return true;
}

}  // namespace detail

// Reads a PNG as one single-channel image, shape (1, 1, H, W), values in 0..1.
template <Scalar T>
DynamicTensor<T> read_png(const std::filesystem::path& path) {
    detail::PngSession s;
    s.file = std::fopen(path.c_str(), "rb");
    if (!s.file) throw io_error("cannot open '" + path.string() + "': " +
                                (std::filesystem::exists(path) ? "permission denied" : "no such file"));
    unsigned char signature[8] = {};
    if (std::fread(signature, 1, 8, s.file) != 8 || png_sig_cmp(signature, 0, 8) != 0)
        throw io_error("'" + path.string() + "' is not a PNG file");
    s.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &s, detail::png_on_error, detail::png_on_warning);
    s.info = s.png ? png_create_info_struct(s.png) : nullptr;
    if (!s.info) throw io_error("libpng could not start reading '" + path.string() + "' (out of memory?)");
    detail::PngLayout layout;
    if (!detail::png_read_header(s, layout))
        throw io_error("'" + path.string() + "' is not a readable grayscale PNG" +
                       (s.message[0] ? std::string(": ") + s.message : std::string()));
    const std::size_t bytes_per_pixel = layout.bit_depth == 16 ? 2 : 1;
    std::vector<unsigned char> pixels(std::size_t(layout.width) * layout.height * bytes_per_pixel);
    std::vector<png_bytep> rows(layout.height);
    for (png_uint_32 r = 0; r < layout.height; ++r) rows[r] = pixels.data() + std::size_t(r) * layout.width * bytes_per_pixel;
    if (!detail::png_read_rows(s, rows.data()))
        throw io_error("'" + path.string() + "' is damaged or truncated: " + s.message);

    DynamicTensor<T> image({1, 1, layout.height, layout.width});
    for (std::size_t i = 0; i < image.size(); ++i) {
        if (bytes_per_pixel == 2) {
            std::uint16_t v;
            std::memcpy(&v, pixels.data() + 2 * i, 2);
            image.data()[i] = T(v) / T(65535);
        } else {
            image.data()[i] = T(pixels[i]) / T(255);
        }
    }
    return image;
}

namespace detail {

// Writes prepared rows of pixels to `path` through a temporary file and a rename: libpng writes
// through a FILE*, so write_atomically's stream does not serve here.
inline void write_png_rows(const std::filesystem::path& path, const PngLayout& layout, std::vector<png_bytep>& rows) {
    namespace fs = std::filesystem;
    const fs::path temporary = temporary_path_for(path);
    {
        PngSession s;
        s.writing = true;
        s.file = std::fopen(temporary.c_str(), "wb");
        if (!s.file) throw io_error("cannot create '" + temporary.string() + "': does the folder exist and is it writable?");
        s.png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &s, png_on_error, png_on_warning);
        s.info = s.png ? png_create_info_struct(s.png) : nullptr;
        const bool ok = s.info && png_write_rows(s, layout, rows.data());
        const bool closed = std::fclose(s.file) == 0;
        s.file = nullptr;
        if (!ok || !closed) {
            std::error_code ignored;
            fs::remove(temporary, ignored);
            throw io_error("writing '" + path.string() + "' failed" + (s.message[0] ? std::string(": ") + s.message : ""));
        }
    }
    std::error_code ec;
    fs::rename(temporary, path, ec);
    if (ec) throw io_error("cannot rename '" + temporary.string() + "' to '" + path.string() + "': " + ec.message());
}

}  // namespace detail

// Writes an H×W image as grayscale PNG with 8 or 16 bits; values are mapped from [low, high] to
// the full range and clipped. NaN is written as 0. The file is replaced atomically.
template <class T>
void write_png(const std::filesystem::path& path, const T* values, std::size_t height, std::size_t width,
               int bits = 16, double low = 0.0, double high = 1.0) {
    if (bits != 8 && bits != 16) throw invalid_argument("write_png: bits must be 8 or 16, not " + std::to_string(bits));
    if (!(high > low)) throw invalid_argument("write_png: the value range [low, high] must have high > low");
    const double top = bits == 16 ? 65535.0 : 255.0;
    const std::size_t bytes_per_pixel = bits == 16 ? 2 : 1;
    std::vector<unsigned char> pixels(height * width * bytes_per_pixel);
    for (std::size_t i = 0; i < height * width; ++i) {
        double v = (double(values[i]) - low) / (high - low);
        v = std::isnan(v) ? 0.0 : std::clamp(v, 0.0, 1.0);
        const auto level = static_cast<std::uint16_t>(std::lround(v * top));
        if (bits == 16) std::memcpy(pixels.data() + 2 * i, &level, 2);
        else pixels[i] = static_cast<unsigned char>(level);
    }
    std::vector<png_bytep> rows(height);
    for (std::size_t r = 0; r < height; ++r) rows[r] = pixels.data() + r * width * bytes_per_pixel;
    detail::write_png_rows(path, {png_uint_32(width), png_uint_32(height), bits, PNG_COLOR_TYPE_GRAY}, rows);
}

// Writes an RGB raster (plots, prediction grids) as an 8-bit colour PNG, atomically.
inline void write_png(const std::filesystem::path& path, const Raster& raster) {
    std::vector<unsigned char> pixels(raster.pixels().size() * 3);
    for (std::size_t i = 0; i < raster.pixels().size(); ++i) {
        pixels[3 * i] = raster.pixels()[i].r;
        pixels[3 * i + 1] = raster.pixels()[i].g;
        pixels[3 * i + 2] = raster.pixels()[i].b;
    }
    std::vector<png_bytep> rows(std::size_t(raster.height()));
    for (std::size_t r = 0; r < rows.size(); ++r) rows[r] = pixels.data() + r * std::size_t(raster.width()) * 3;
    detail::write_png_rows(path, {png_uint_32(raster.width()), png_uint_32(raster.height()), 8, PNG_COLOR_TYPE_RGB},
                           rows);
}

}  // namespace io
GAN_NAMESPACE_END

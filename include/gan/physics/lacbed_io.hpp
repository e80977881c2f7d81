#pragma once
// Writing LACBED discs: Felix-compatible raw float64 .bin files and NumPy .npy stacks.
#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "gan/core/error.hpp"
#include "gan/physics/lacbed.hpp"
#include "gan/version.hpp"

GAN_NAMESPACE_BEGIN
namespace physics {

namespace detail {
inline void write_little_endian_doubles(std::ofstream& out, const std::vector<double>& values) {
    static_assert(sizeof(double) == 8);
    for (double v : values) {
        std::uint64_t bits;
        std::memcpy(&bits, &v, 8);
        char bytes[8];
        for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((bits >> (8 * i)) & 0xFF);
        out.write(bytes, 8);
    }
}
inline std::ofstream open_for_writing(const std::string& path) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) throw io_error("cannot write '" + path + "'; check that the folder exists and is writable");
    return out;
}
}  // namespace detail

// Felix's output layout: no header, 2N records of 2N little-endian float64, row = k_y index.
inline void write_felix_bin(const std::string& path, const lacbed_image& image) {
    auto out = detail::open_for_writing(path);
    detail::write_little_endian_doubles(out, image.pixels);
    if (!out) throw io_error("writing '" + path + "' failed; check the free disk space");
}

// A (thicknesses, 2N, 2N) float64 .npy array (format version 1.0), one image per thickness.
inline void write_npy(const std::string& path, const std::vector<lacbed_image>& images) {
    if (images.empty()) throw invalid_argument("write_npy needs at least one image");
    const int size = images.front().size;
    for (const auto& im : images)
        if (im.size != size) throw invalid_argument("write_npy needs images of one size");
    std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': (" + std::to_string(images.size()) + ", " +
                         std::to_string(size) + ", " + std::to_string(size) + "), }";
    // Magic (6) + version (2) + length (2) + header + '\n' must be a multiple of 64.
    const std::size_t unpadded = 10 + header.size() + 1;
    header.append((64 - unpadded % 64) % 64, ' ');
    header += '\n';
    auto out = detail::open_for_writing(path);
    out.write("\x93NUMPY\x01\x00", 8);
    const auto length = static_cast<std::uint16_t>(header.size());
    const char length_bytes[2] = {static_cast<char>(length & 0xFF), static_cast<char>(length >> 8)};
    out.write(length_bytes, 2);
    out.write(header.data(), static_cast<std::streamsize>(header.size()));
    for (const auto& im : images) detail::write_little_endian_doubles(out, im.pixels);
    if (!out) throw io_error("writing '" + path + "' failed; check the free disk space");
}

}  // namespace physics
GAN_NAMESPACE_END

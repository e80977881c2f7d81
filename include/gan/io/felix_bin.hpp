#pragma once
// Felix's image files: raw little-endian float64, no header, 2N rows of 2N values, row index =
// k_y (from − to +), column index = k_x. The side is inferred from the file size (8·(2N)² bytes:
// 51,200 for 80×80, 131,072 for 128×128).
#include <cmath>
#include <cstring>
#include <filesystem>
#include <string>

#include "gan/core/dynamic_tensor.hpp"
#include "gan/io/atomic_file.hpp"

GAN_NAMESPACE_BEGIN
namespace io {

// Reads one square image, shape (1, 1, side, side).
template <Scalar T>
DynamicTensor<T> read_felix_bin(const std::filesystem::path& path) {
    const std::string bytes = read_file_bytes(path);
    const std::size_t count = bytes.size() / 8;
    const auto side = std::size_t(std::llround(std::sqrt(double(count))));
    if (bytes.empty() || bytes.size() % 8 != 0 || side * side != count)
        throw io_error("'" + path.string() + "' has " + std::to_string(bytes.size()) +
                       " bytes, which is not 8·n² for a square float64 image; is it a Felix .bin output?");
    DynamicTensor<T> image({1, 1, side, side});
    for (std::size_t i = 0; i < count; ++i) {
        double v;
        std::memcpy(&v, bytes.data() + 8 * i, 8);
        image.data()[i] = T(v);
    }
    return image;
}

// Writes a side × side image in Felix's layout, atomically.
template <class T>
void write_felix_bin(const std::filesystem::path& path, const T* values, std::size_t side) {
    write_atomically(path, [&](std::ostream& out) {
        for (std::size_t i = 0; i < side * side; ++i) {
            const double v = double(values[i]);
            out.write(reinterpret_cast<const char*>(&v), 8);
        }
    });
}

}  // namespace io
GAN_NAMESPACE_END

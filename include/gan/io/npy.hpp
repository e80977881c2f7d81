#pragma once
// NumPy .npy files (format versions 1–3), float32 or float64, C order.
//
// Images are read into run-time-shaped tensors: a 2-D array (H, W) is one single-channel image,
// a 3-D array (N, H, W) is N single-channel images (one per thickness, say), a 4-D array is
// (N, C, H, W).
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "gan/core/dynamic_tensor.hpp"
#include "gan/io/atomic_file.hpp"
#include "gan/io/dtype.hpp"

GAN_NAMESPACE_BEGIN
namespace io {

struct NpyArray {
    DType dtype = DType::f32;
    std::vector<std::size_t> shape;
    std::vector<unsigned char> bytes;
};

namespace detail {

// The value of 'key' in the header's Python dict literal, e.g. "'<f4'" or "(2, 3)".
inline std::string npy_header_field(const std::string& header, const std::string& key, const std::string& source) {
    const auto at = header.find("'" + key + "'");
    if (at == std::string::npos) throw io_error("'" + source + "' is not a valid .npy file: its header has no '" + key + "'");
    auto begin = header.find(':', at);
    if (begin == std::string::npos) throw io_error("'" + source + "' has a malformed .npy header");
    ++begin;
    while (begin < header.size() && header[begin] == ' ') ++begin;
    std::size_t end = begin;
    if (begin < header.size() && header[begin] == '(') end = header.find(')', begin) + 1;
    else if (begin < header.size() && header[begin] == '\'') end = header.find('\'', begin + 1) + 1;
    else end = header.find_first_of(",}", begin);
    if (end == std::string::npos || end == 0 || end <= begin) throw io_error("'" + source + "' has a malformed .npy header");
    return header.substr(begin, end - begin);
}

}  // namespace detail

inline NpyArray parse_npy(const std::string& bytes, const std::string& source) {
    auto fail = [&](const std::string& why) { return io_error("'" + source + "' is not a readable .npy file: " + why); };
    if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0) throw fail("it does not start with the .npy magic bytes");
    const int major = static_cast<unsigned char>(bytes[6]);
    std::size_t header_length = 0, header_start = 0;
    if (major == 1) {
        std::uint16_t n;
        std::memcpy(&n, bytes.data() + 8, 2);
        header_length = n;
        header_start = 10;
    } else if (major == 2 || major == 3) {
        if (bytes.size() < 12) throw fail("the header is truncated");
        std::uint32_t n;
        std::memcpy(&n, bytes.data() + 8, 4);
        header_length = n;
        header_start = 12;
    } else {
        throw fail("format version " + std::to_string(major) + " is unknown");
    }
    if (header_start + header_length > bytes.size()) throw fail("the header is truncated");
    const std::string header = bytes.substr(header_start, header_length);

    NpyArray array;
    const std::string descr = detail::npy_header_field(header, "descr", source);
    if (descr == "'<f4'") array.dtype = DType::f32;
    else if (descr == "'<f8'") array.dtype = DType::f64;
    else throw fail("its dtype is " + descr + "; save it as float32 or float64 (arr.astype(np.float32))");
    if (detail::npy_header_field(header, "fortran_order", source) != "False")
        throw fail("it is stored in Fortran order; save it with np.ascontiguousarray(arr)");
    std::string shape_text = detail::npy_header_field(header, "shape", source);
    for (char& c : shape_text)
        if (c == '(' || c == ')' || c == ',') c = ' ';
    std::size_t pos = 0;
    while (pos < shape_text.size()) {
        const auto next = shape_text.find_first_not_of(' ', pos);
        if (next == std::string::npos) break;
        std::size_t used = 0;
        try {
            array.shape.push_back(std::stoull(shape_text.substr(next), &used));
        } catch (const std::exception&) {
            throw fail("its shape field is malformed");
        }
        pos = next + used;
    }
    std::size_t count = 1;
    for (std::size_t e : array.shape) count *= e;
    const std::size_t data_start = header_start + header_length;
    const std::size_t expected = count * dtype_size(array.dtype);
    if (bytes.size() - data_start < expected)
        throw fail("it holds " + std::to_string(bytes.size() - data_start) + " data bytes but its shape needs " +
                   std::to_string(expected) + " (truncated?)");
    array.bytes.assign(bytes.begin() + std::ptrdiff_t(data_start), bytes.begin() + std::ptrdiff_t(data_start + expected));
    return array;
}

inline NpyArray read_npy_array(const std::filesystem::path& path) { return parse_npy(read_file_bytes(path), path.string()); }

// Reads an image stack: 2-D → (1, 1, H, W), 3-D → (N, 1, H, W), 4-D → (N, C, H, W).
template <Scalar T>
DynamicTensor<T> read_npy_images(const std::filesystem::path& path) {
    const NpyArray array = read_npy_array(path);
    DynamicShape shape;
    const auto& s = array.shape;
    if (s.size() == 2) shape = {1, 1, s[0], s[1]};
    else if (s.size() == 3) shape = {s[0], 1, s[1], s[2]};
    else if (s.size() == 4) shape = {s[0], s[1], s[2], s[3]};
    else
        throw io_error("'" + path.string() + "' holds a " + std::to_string(s.size()) +
                       "-D array; images must be 2-D (H, W), 3-D (N, H, W) or 4-D (N, C, H, W)");
    DynamicTensor<T> result(shape);
    const auto values = convert_to<T>(array.dtype, array.bytes.data(), result.size());
    std::copy(values.begin(), values.end(), result.data());
    return result;
}

// Serialises float/double data of the given shape as a version-1 .npy.
template <Scalar T>
std::string serialize_npy(const T* data, const std::vector<std::size_t>& shape) {
    std::string dims;
    std::size_t count = 1;
    for (std::size_t e : shape) {
        dims += std::to_string(e) + ",";
        count *= e;
    }
    if (shape.size() > 1) dims.pop_back();  // a 1-tuple keeps its comma: (5,)
    std::string header = std::string("{'descr': '") + (sizeof(T) == 4 ? "<f4" : "<f8") +
                         "', 'fortran_order': False, 'shape': (" + dims + "), }";
    // Magic (6) + version (2) + length (2) + header + '\n' is padded to a multiple of 64 bytes.
    const std::size_t unpadded = 10 + header.size() + 1;
    header.append((64 - unpadded % 64) % 64, ' ');
    header.push_back('\n');
    std::string out("\x93NUMPY\x01\x00", 8);
    const std::uint16_t length = std::uint16_t(header.size());
    out.append(reinterpret_cast<const char*>(&length), 2);
    out += header;
    out.append(reinterpret_cast<const char*>(data), count * sizeof(T));
    return out;
}

template <Scalar T>
void write_npy(const std::filesystem::path& path, const T* data, const std::vector<std::size_t>& shape) {
    const std::string bytes = serialize_npy(data, shape);
    write_atomically(path, [&](std::ostream& out) { out.write(bytes.data(), std::streamsize(bytes.size())); });
}

}  // namespace io
GAN_NAMESPACE_END

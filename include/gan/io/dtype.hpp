#pragma once
// Element types of stored tensors (safetensors and .npy), and conversion of their raw
// little-endian bytes into float or double.
#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "gan/core/bfloat16.hpp"
#include "gan/core/error.hpp"
#include "gan/core/tensor.hpp"

GAN_NAMESPACE_BEGIN
namespace io {

static_assert(std::endian::native == std::endian::little,
              "gan's file formats store little-endian data; a big-endian port needs byte swapping here");

enum class DType { f64, f32, f16, bf16, i64, i32, u8 };

inline std::size_t dtype_size(DType t) {
    switch (t) {
        case DType::f64: case DType::i64: return 8;
        case DType::f32: case DType::i32: return 4;
        case DType::f16: case DType::bf16: return 2;
        case DType::u8: return 1;
    }
    return 0;
}

// The safetensors spelling ("F32", "BF16", ...).
inline std::string_view safetensors_name(DType t) {
    switch (t) {
        case DType::f64: return "F64";
        case DType::f32: return "F32";
        case DType::f16: return "F16";
        case DType::bf16: return "BF16";
        case DType::i64: return "I64";
        case DType::i32: return "I32";
        case DType::u8: return "U8";
    }
    return "?";
}

inline bool dtype_from_safetensors_name(std::string_view name, DType& out) {
    for (DType t : {DType::f64, DType::f32, DType::f16, DType::bf16, DType::i64, DType::i32, DType::u8})
        if (safetensors_name(t) == name) {
            out = t;
            return true;
        }
    return false;
}

namespace detail {
inline float half_to_float(std::uint16_t h) {
    const std::uint32_t sign = std::uint32_t(h & 0x8000u) << 16;
    const std::uint32_t exponent = (h >> 10) & 0x1Fu;
    const std::uint32_t mantissa = h & 0x3FFu;
    if (exponent == 0) {  // zero or subnormal: mantissa · 2^-24
        const float v = float(mantissa) * 0x1.0p-24f;
        return sign ? -v : v;
    }
    std::uint32_t bits;
    if (exponent == 31) bits = sign | 0x7F800000u | (mantissa << 13);  // inf / nan
    else bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
    return std::bit_cast<float>(bits);
}
}  // namespace detail

// Converts `count` stored elements of type `type` at `bytes` into T.
template <Scalar T>
std::vector<T> convert_to(DType type, const unsigned char* bytes, std::size_t count) {
    std::vector<T> out(count);
    for (std::size_t i = 0; i < count; ++i) {
        const unsigned char* p = bytes + i * dtype_size(type);
        switch (type) {
            case DType::f64: { double v; std::memcpy(&v, p, 8); out[i] = T(v); break; }
            case DType::f32: { float v; std::memcpy(&v, p, 4); out[i] = T(v); break; }
            case DType::f16: { std::uint16_t v; std::memcpy(&v, p, 2); out[i] = T(detail::half_to_float(v)); break; }
            case DType::bf16: {
                std::uint16_t v; std::memcpy(&v, p, 2);
                out[i] = T(bfloat16::from_bits(v).to_float());
                break;
            }
            case DType::i64: { std::int64_t v; std::memcpy(&v, p, 8); out[i] = T(v); break; }
            case DType::i32: { std::int32_t v; std::memcpy(&v, p, 4); out[i] = T(v); break; }
            case DType::u8: out[i] = T(*p); break;
        }
    }
    return out;
}

}  // namespace io
GAN_NAMESPACE_END

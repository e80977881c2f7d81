#pragma once
// Register-wide vectors for the CPU kernels, so that each kernel has one source for every target:
// xsimd's batch for the architecture the code is compiled for (AVX-512, AVX2, SSE2, NEON...), or a
// one-lane stand-in where xsimd knows no SIMD architecture. Defining GAN_KERNELS_NO_SIMD selects
// the stand-in on any machine, which is how the plain-loop path is built and tested on x86.
#include <cstddef>

#include "gan/core/compiler_warnings.hpp"

GAN_SIMD_KERNELS_BEGIN
#include <xsimd/xsimd.hpp>
GAN_SIMD_KERNELS_END

#include "gan/version.hpp"

#if defined(XSIMD_NO_SUPPORTED_ARCHITECTURE) && !defined(GAN_KERNELS_NO_SIMD)
#define GAN_KERNELS_NO_SIMD
#endif

GAN_NAMESPACE_BEGIN
namespace kernels::cpu_detail {

#if defined(GAN_KERNELS_NO_SIMD)

template <class T>
struct simd {
    using vector = T;
    static constexpr std::size_t width = 1;
    // Enough scalar registers on every target worth running on (x86-64 and AArch64 have 16+).
    static constexpr std::size_t registers = 16;
    static vector zero() { return T(0); }
    static vector broadcast(T x) { return x; }
    static vector load_aligned(const T* p) { return *p; }
    static vector load_unaligned(const T* p) { return *p; }
    static void store_aligned(vector v, T* p) { *p = v; }
    static void store_unaligned(vector v, T* p) { *p = v; }
    static vector fma(vector a, vector b, vector c) { return a * b + c; }
    static T sum(vector v) { return v; }
};

#else

template <class T>
struct simd {
    using vector = xsimd::batch<T>;
    static constexpr std::size_t width = vector::size;
#if XSIMD_WITH_AVX512F
    static constexpr std::size_t registers = 32;
#else
    static constexpr std::size_t registers = 16;
#endif
    static vector zero() { return vector(T(0)); }
    static vector broadcast(T x) { return vector(x); }
    static vector load_aligned(const T* p) { return vector::load_aligned(p); }
    static vector load_unaligned(const T* p) { return vector::load_unaligned(p); }
    static void store_aligned(vector v, T* p) { v.store_aligned(p); }
    static void store_unaligned(vector v, T* p) { v.store_unaligned(p); }
    static vector fma(vector a, vector b, vector c) { return xsimd::fma(a, b, c); }
    // In lane order: a fixed order, and xsimd's hadd trips GCC 12's -Wuninitialized on AVX-512.
    static T sum(vector v) {
        alignas(64) T lanes[width];
        v.store_aligned(lanes);
        T s = 0;
        for (std::size_t i = 0; i < width; ++i) s += lanes[i];
        return s;
    }
};

#endif

}  // namespace kernels::cpu_detail
GAN_NAMESPACE_END

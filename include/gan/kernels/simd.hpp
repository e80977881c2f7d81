#pragma once
// The SIMD vocabulary of the CPU kernels: xsimd batches of the widest instruction set the
// compiler targets (AVX-512, AVX2, SSE, NEON), or plain scalars when it targets none, so the
// same kernel source builds everywhere. Defining GAN_KERNELS_NO_SIMD selects the scalars on any
// machine (the switch the GEMM kernels share), which is how that path is built and tested on x86.
//
// Every kernel runs every element through the vector code path, including the last partial
// vector (loaded into a padded register-sized buffer). An element's result therefore does not
// depend on where a thread's range starts, which keeps results bit-identical for any thread count.
#include <algorithm>
#include <cmath>
#include <cstddef>

#include "gan/core/compiler_warnings.hpp"

GAN_SIMD_KERNELS_BEGIN
#include <xsimd/xsimd.hpp>
GAN_SIMD_KERNELS_END

#include "gan/core/tensor.hpp"

#if defined(XSIMD_NO_SUPPORTED_ARCHITECTURE) && !defined(GAN_KERNELS_NO_SIMD)
#define GAN_KERNELS_NO_SIMD
#endif

GAN_NAMESPACE_BEGIN
namespace kernels::simd {

#ifdef GAN_KERNELS_NO_SIMD
template <Scalar T>
using vec = T;
template <Scalar T>
inline constexpr std::size_t width = 1;
template <Scalar T>
inline T load(const T* p) noexcept { return *p; }
template <Scalar T>
inline void store(T* p, T v) noexcept { *p = v; }
template <Scalar T>
inline T select(bool c, T a, T b) noexcept { return c ? a : b; }
template <Scalar T>
inline T fma(T a, T b, T c) noexcept { return std::fma(a, b, c); }
template <Scalar T>
inline T abs(T a) noexcept { return std::abs(a); }
template <Scalar T>
inline T sqrt(T a) noexcept { return std::sqrt(a); }
template <Scalar T>
inline T exp(T a) noexcept { return std::exp(a); }
template <Scalar T>
inline T log1p(T a) noexcept { return std::log1p(a); }
template <Scalar T>
inline T tanh(T a) noexcept { return std::tanh(a); }
template <Scalar T>
inline T sum(T a) noexcept { return a; }
#else
template <Scalar T>
using vec = xsimd::batch<T>;
template <Scalar T>
inline constexpr std::size_t width = xsimd::batch<T>::size;
template <Scalar T>
inline vec<T> load(const T* p) noexcept { return vec<T>::load_unaligned(p); }
template <Scalar T>
inline void store(T* p, const vec<T>& v) noexcept { v.store_unaligned(p); }
using xsimd::abs;
using xsimd::exp;
using xsimd::fma;
using xsimd::log1p;
using xsimd::select;
using xsimd::sqrt;
using xsimd::tanh;
// Horizontal sum in xsimd's fixed lane order.
template <Scalar T>
inline T sum(const vec<T>& v) noexcept { return xsimd::hadd(v); }
#endif

// Applies f(i, n) to consecutive vectors of [0, count): i is the first index, n ≤ width the
// number of valid lanes. Full vectors come first; the tail (n < width) comes last. f loads
// through load_partial/store_partial when n < width.
template <Scalar T, class F>
inline void for_each_vector(std::size_t count, F&& f) {
    constexpr std::size_t w = width<T>;
    std::size_t i = 0;
    for (; i + w <= count; i += w) f(i, w);
    if (i < count) f(i, count - i);
}

// Loads n ≤ width values and pads the rest of the vector with `fill`.
template <Scalar T>
inline vec<T> load_partial(const T* p, std::size_t n, T fill = T(0)) noexcept {
    if constexpr (width<T> == 1) {  // a scalar "vector" is never partial
        return load(p);
    } else {
        if (n == width<T>) return load(p);
        alignas(64) T buffer[width<T>];
        for (std::size_t k = 0; k < width<T>; ++k) buffer[k] = k < n ? p[k] : fill;
        return load(buffer);
    }
}
template <Scalar T>
inline void store_partial(T* p, const vec<T>& v, std::size_t n) noexcept {
    if constexpr (width<T> == 1) {
        store(p, v);
    } else {
        if (n == width<T>) return store(p, v);
        alignas(64) T buffer[width<T>];
        store(buffer, v);
        std::copy_n(buffer, n, p);
    }
}

// A long sum in a fixed order: vectors add lane-wise in T, and every 64 vectors the lanes are
// summed horizontally into a double. Float lanes thus never carry more than 64 terms, which
// keeps a 256×256 plane's statistics as accurate as PyTorch's double accumulation.
template <Scalar T>
class Accumulator {
public:
    void add(const vec<T>& v) noexcept {
        lanes_ += v;
        if (++pending_ == 64) flush();
    }
    double total() noexcept {
        flush();
        return total_;
    }

private:
    void flush() noexcept {
        total_ += double(sum(lanes_));
        lanes_ = vec<T>(T(0));
        pending_ = 0;
    }
    vec<T> lanes_ = vec<T>(T(0));
    int pending_ = 0;
    double total_ = 0;
};

}  // namespace kernels::simd
GAN_NAMESPACE_END

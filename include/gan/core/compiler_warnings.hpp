#pragma once
// GCC 12 reports the _mm512_undefined_*() start values inside its own AVX-512 intrinsics as
// uninitialised wherever xsimd or Eigen inline them (GCC bug 105593, fixed in GCC 13): hundreds of
// false warnings per translation unit. The diagnostic state that counts is the one where the
// intrinsics' callers are defined, so gan includes xsimd and Eigen, and defines its own kernels,
// between these two macros. Other compilers and other warnings are untouched.
#if defined(__GNUC__) && !defined(__clang__)
#define GAN_SIMD_KERNELS_BEGIN                                   \
    _Pragma("GCC diagnostic push")                               \
    _Pragma("GCC diagnostic ignored \"-Wuninitialized\"")        \
    _Pragma("GCC diagnostic ignored \"-Wmaybe-uninitialized\"")
#define GAN_SIMD_KERNELS_END _Pragma("GCC diagnostic pop")
#else
#define GAN_SIMD_KERNELS_BEGIN
#define GAN_SIMD_KERNELS_END
#endif

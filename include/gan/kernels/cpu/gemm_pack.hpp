#pragma once
// Packing for the GEMM: copies a block of op(A) or op(B) into the order the register tile reads
// it, so the tile streams both operands contiguously whatever the transposes and leading
// dimensions of the originals. Panels are padded with zeros to whole tiles; the zeros add nothing
// to C and the tile never needs a clipped inner loop.
#include <algorithm>
#include <cstddef>
#include <cstring>
#include <type_traits>

#include "gan/version.hpp"

#if defined(__AVX__) && !defined(GAN_KERNELS_NO_SIMD)
#define GAN_PACK_AVX 1
#include <immintrin.h>
#endif

GAN_NAMESPACE_BEGIN
namespace kernels::cpu_detail {

// A matrix operand as stored: op(X)(i, p) is data[i * ld + p], or data[p * ld + i] if transposed.
template <class T>
struct operand {
    const T* data;
    std::size_t ld;
    bool transposed;

    const T* at(std::size_t i, std::size_t p) const { return transposed ? data + p * ld + i : data + i * ld + p; }
};

#if defined(GAN_PACK_AVX)
// Eight rows of eight floats transposed in registers: c[q] holds element q of every row r[0..7].
inline void transpose_8x8(const __m256 (&r)[8], __m256 (&c)[8]) {
    const __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
    const __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
    const __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
    const __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
    const __m256 s0 = _mm256_shuffle_ps(t0, t2, 0x44), s1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    const __m256 s2 = _mm256_shuffle_ps(t1, t3, 0x44), s3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    const __m256 s4 = _mm256_shuffle_ps(t4, t6, 0x44), s5 = _mm256_shuffle_ps(t4, t6, 0xEE);
    const __m256 s6 = _mm256_shuffle_ps(t5, t7, 0x44), s7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    c[0] = _mm256_permute2f128_ps(s0, s4, 0x20);
    c[1] = _mm256_permute2f128_ps(s1, s5, 0x20);
    c[2] = _mm256_permute2f128_ps(s2, s6, 0x20);
    c[3] = _mm256_permute2f128_ps(s3, s7, 0x20);
    c[4] = _mm256_permute2f128_ps(s0, s4, 0x31);
    c[5] = _mm256_permute2f128_ps(s1, s5, 0x31);
    c[6] = _mm256_permute2f128_ps(s2, s6, 0x31);
    c[7] = _mm256_permute2f128_ps(s3, s7, 0x31);
}

// Eight K steps of six rows of a float A, out[q * 6 + r] = src[r * ld + q]: an 8 × 8 transpose in
// registers (rows 6 and 7 repeat rows 4 and 5: don't-cares, never read past A's last row) and
// eight overlapping stores, each writing its column's six values and two that the next store
// replaces. Value by value, packing costs about a store per value: a fifth of the time of a deep
// layer whose C has 64 columns (each A value is used for only 64 multiply-adds, 4 cycles of FMAs).
inline void pack_a_6x8(const float* src, std::size_t ld, float* out) {
    __m256 r[8], c[8];
    for (std::size_t i = 0; i < 6; ++i) r[i] = _mm256_loadu_ps(src + i * ld);
    r[6] = r[4];
    r[7] = r[5];
    transpose_8x8(r, c);
    for (std::size_t q = 0; q < 7; ++q) _mm256_storeu_ps(out + 6 * q, c[q]);
    // The last column stops at the group's end: 4 + 2 values.
    _mm_storeu_ps(out + 42, _mm256_castps256_ps128(c[7]));
    _mm_storel_pi(reinterpret_cast<__m64*>(out + 46), _mm256_extractf128_ps(c[7], 1));
}

// An 8 × 8 block of floats transposed: out[q * ldo + r] = src[r * ld + q].
inline void transpose_8x8(const float* src, std::size_t ld, float* out, std::size_t ldo) {
    __m256 r[8], c[8];
    for (std::size_t i = 0; i < 8; ++i) r[i] = _mm256_loadu_ps(src + i * ld);
    transpose_8x8(r, c);
    for (std::size_t q = 0; q < 8; ++q) _mm256_storeu_ps(out + q * ldo, c[q]);
}
#endif

// Rows [i0, i0 + rows) and columns [p0, p0 + kb) of op(A) into ceil(rows / MR) panels, panel q
// at dst + q * panel_stride holding kb groups of MR values (one per row).
template <std::size_t MR, class T>
void pack_a(operand<T> a, std::size_t i0, std::size_t rows, std::size_t p0, std::size_t kb, T* dst,
            std::size_t panel_stride) {
    if (a.transposed) {
        // Eight K steps at a time, panel by panel: each panel receives 8 × MR values, whole cache
        // lines written in order, from the eight stored rows' stretches, which stay in L1 for the
        // group (eight lines in each L1 set they map to, when the rows are 4 KiB apart). K step by
        // K step instead, every step wrote MR values into each of the block's panels, 24 lines of
        // L2 for 144 rows, and each store that missed L1 held up those behind it: 2.4 times the
        // time from L2 (u3's Wᵀ, Intel Xeon VM). The rows are far apart, too many streams for the
        // hardware prefetchers: the next group's rows are requested a line ahead of the panels
        // (from memory without the requests, 1.7 times the time).
        constexpr std::size_t group = 8, line = 64 / sizeof(T);
        const std::size_t full = rows / MR * MR;
        std::size_t p = 0;
        for (; p + group <= kb; p += group) {
            const bool next = p + 2 * group <= kb;
            std::size_t requested = 0;  // values of the next group's rows requested so far
            T* out = dst + p * MR;
            for (std::size_t r0 = 0; r0 < full; r0 += MR, out += panel_stride) {
                if (next)
                    for (; requested < std::min(rows, r0 + 2 * line); requested += line)
                        for (std::size_t q = 0; q < group; ++q)
                            __builtin_prefetch(a.at(i0 + requested, p0 + p + group + q), 0, 2);
                const T* src = a.at(i0 + r0, p0 + p);
                // A fixed-size memcpy is one or two vector moves (16 + 8 bytes for six floats).
                for (std::size_t q = 0; q < group; ++q) std::memcpy(out + q * MR, src + q * a.ld, MR * sizeof(T));
            }
        }
        for (; p < kb; ++p) {
            const T* src = a.at(i0, p0 + p);
            T* out = dst + p * MR;
            for (std::size_t r0 = 0; r0 < full; r0 += MR, out += panel_stride) std::memcpy(out, src + r0, MR * sizeof(T));
        }
        if (full < rows)
            for (std::size_t q = 0; q < kb; ++q) {
                const T* src = a.at(i0 + full, p0 + q);
                T* out = dst + full / MR * panel_stride + q * MR;
                for (std::size_t r = 0; r < MR; ++r) out[r] = full + r < rows ? src[r] : T(0);
            }
        return;
    }
    for (std::size_t r0 = 0; r0 < rows; r0 += MR, dst += panel_stride) {
        const std::size_t rr = std::min(MR, rows - r0);
        const T* src = a.at(i0 + r0, p0);
        if (rr == MR) {
            std::size_t p = 0;
#if defined(GAN_PACK_AVX)
            if constexpr (std::is_same_v<T, float> && MR == 6)
                for (; p + 8 <= kb; p += 8) pack_a_6x8(src + p, a.ld, dst + p * MR);
#endif
            // A line of each of the MR rows at a time through a small tile in registers and L1:
            // about 20% faster than interleaving the MR row streams value by value.
            constexpr std::size_t step = 16;
            for (; p + step <= kb; p += step) {
                T tile[MR][step];
                for (std::size_t r = 0; r < MR; ++r)
                    for (std::size_t q = 0; q < step; ++q) tile[r][q] = src[r * a.ld + p + q];
                for (std::size_t q = 0; q < step; ++q)
                    for (std::size_t r = 0; r < MR; ++r) dst[(p + q) * MR + r] = tile[r][q];
            }
            for (; p < kb; ++p)
                for (std::size_t r = 0; r < MR; ++r) dst[p * MR + r] = src[r * a.ld + p];
        } else {
            for (std::size_t p = 0; p < kb; ++p) {
                T* out = dst + p * MR;
                for (std::size_t r = 0; r < rr; ++r) out[r] = src[r * a.ld + p];
                for (std::size_t r = rr; r < MR; ++r) out[r] = T(0);
            }
        }
    }
}

// Rows [p0, p0 + kb) and columns [j0, j0 + cols) of op(B) into ceil(cols / NR) panels, panel q
// at dst + q * kb * NR holding kb rows of NR values.
template <std::size_t NR, class T>
void pack_b(operand<T> b, std::size_t p0, std::size_t kb, std::size_t j0, std::size_t cols, T* dst) {
    if (!b.transposed) {
        // Row by row across all the panels, so that each row of B is read once as one sequential
        // stream; panel by panel would walk down kb rows (and pages) for every NR columns and
        // wait on memory for each. memcpy: whole vectors, where a loop must assume that the
        // panel may overlap B and copies value by value.
        for (std::size_t p = 0; p < kb; ++p) {
            const T* src = b.at(p0 + p, j0);
            T* out = dst + p * NR;
            std::size_t c0 = 0;
            for (; c0 + NR <= cols; c0 += NR, out += kb * NR) std::memcpy(out, src + c0, NR * sizeof(T));
            if (c0 < cols) {
                std::memcpy(out, src + c0, (cols - c0) * sizeof(T));
                std::fill(out + (cols - c0), out + NR, T(0));
            }
        }
        return;
    }
    for (std::size_t c0 = 0; c0 < cols; c0 += NR, dst += kb * NR) {
        const std::size_t cc = std::min(NR, cols - c0);
        // Each column of the panel is a contiguous row of B; a few rows of the panel at a
        // time keep the scattered writes within L1.
        constexpr std::size_t step = 16;
        for (std::size_t pb = 0; pb < kb; pb += step) {
            const std::size_t pe = std::min(kb, pb + step);
            std::size_t j = 0;
#if defined(GAN_PACK_AVX)
            // Eight columns by sixteen rows at a time, transposed in registers: value by value,
            // a load and a store each, this copy took 4.5 % of D128/c4's forward and backward
            // passes (its weight gradient's 225 × 4096 B).
            if constexpr (std::is_same_v<T, float>)
                if (pe - pb == step)
                    for (; j + 8 <= cc; j += 8) {
                        const T* src = b.at(p0 + pb, j0 + c0 + j);
                        if (pb + 2 * step < kb)
                            for (std::size_t r = 0; r < 8; ++r) __builtin_prefetch(src + r * b.ld + 2 * step);
                        transpose_8x8(src, b.ld, dst + pb * NR + j, NR);
                        transpose_8x8(src + 8, b.ld, dst + (pb + 8) * NR + j, NR);
                    }
#endif
            for (; j < cc; ++j) {
                const T* src = b.at(p0, j0 + c0 + j);
                // NR rows of B are NR streams, more than the hardware prefetchers follow.
                if (pb + 2 * step < kb) __builtin_prefetch(src + pb + 2 * step);
                for (std::size_t p = pb; p < pe; ++p) dst[p * NR + j] = src[p];
            }
            for (std::size_t p = pb; p < pe; ++p)
                for (std::size_t j = cc; j < NR; ++j) dst[p * NR + j] = T(0);
        }
    }
}

}  // namespace kernels::cpu_detail
GAN_NAMESPACE_END

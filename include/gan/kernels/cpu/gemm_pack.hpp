#pragma once
// Packing for the GEMM: copies a block of op(A) or op(B) into the order the register tile reads
// it, so the tile streams both operands contiguously whatever the transposes and leading
// dimensions of the originals. Panels are padded with zeros to whole tiles; the zeros add nothing
// to C and the tile never needs a clipped inner loop.
#include <algorithm>
#include <cstddef>

#include "gan/version.hpp"

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

// Rows [i0, i0 + rows) and columns [p0, p0 + kb) of op(A) into ceil(rows / MR) panels, panel q
// at dst + q * panel_stride holding kb groups of MR values (one per row).
template <std::size_t MR, class T>
void pack_a(operand<T> a, std::size_t i0, std::size_t rows, std::size_t p0, std::size_t kb, T* dst,
            std::size_t panel_stride) {
    if (a.transposed) {
        // Rows of the stored matrix are contiguous across panels: read each once, in order,
        // rather than revisiting kb far-apart rows (and pages) for every panel.
        constexpr std::size_t ahead = 8, line = 64 / sizeof(T);
        for (std::size_t p = 0; p < kb; ++p) {
            const T* src = a.at(i0, p0 + p);
            // The rows are far apart (a matrix row each): too many streams for the hardware
            // prefetchers, so fetch a few rows ahead by hand.
            if (p + ahead < kb)
                for (std::size_t l = 0; l < rows; l += line) __builtin_prefetch(src + ahead * a.ld + l);
            for (std::size_t r0 = 0; r0 < rows; r0 += MR) {
                T* out = dst + r0 / MR * panel_stride + p * MR;
                if (rows - r0 >= MR) {
                    for (std::size_t r = 0; r < MR; ++r) out[r] = src[r0 + r];
                } else {
                    for (std::size_t r = 0; r < MR; ++r) out[r] = r0 + r < rows ? src[r0 + r] : T(0);
                }
            }
        }
        return;
    }
    for (std::size_t r0 = 0; r0 < rows; r0 += MR, dst += panel_stride) {
        const std::size_t rr = std::min(MR, rows - r0);
        const T* src = a.at(i0 + r0, p0);
        if (rr == MR) {
            // A line of each of the MR rows at a time through a small tile in registers and L1:
            // about 20% faster than interleaving the MR row streams value by value.
            constexpr std::size_t step = 16;
            std::size_t p = 0;
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
    for (std::size_t c0 = 0; c0 < cols; c0 += NR, dst += kb * NR) {
        const std::size_t cc = std::min(NR, cols - c0);
        if (!b.transposed) {
            for (std::size_t p = 0; p < kb; ++p) {
                const T* src = b.at(p0 + p, j0 + c0);
                T* out = dst + p * NR;
                if (cc == NR) {
                    for (std::size_t j = 0; j < NR; ++j) out[j] = src[j];
                } else {
                    for (std::size_t j = 0; j < cc; ++j) out[j] = src[j];
                    for (std::size_t j = cc; j < NR; ++j) out[j] = T(0);
                }
            }
        } else {
            // Each column of the panel is a contiguous row of B; a few rows of the panel at a
            // time keep the scattered writes within L1.
            constexpr std::size_t step = 16;
            for (std::size_t pb = 0; pb < kb; pb += step) {
                const std::size_t pe = std::min(kb, pb + step);
                for (std::size_t j = 0; j < cc; ++j) {
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
}

}  // namespace kernels::cpu_detail
GAN_NAMESPACE_END

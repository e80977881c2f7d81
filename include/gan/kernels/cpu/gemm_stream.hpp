#pragma once
// The product with at most four columns when op(A) = Aᵀ is stored with its rows along M (a
// transposed convolution on a 2×2 or 1×1 image, a convolution's input gradient there): bound by
// reading A, a 16–32 MiB weight used for only one to four multiply-adds per value. Packing it
// into register-tile panels, as the blocked GEMM does, gathers a few values from each of
// thousands of rows 32 KiB apart; here each row of A is read as stored, a 4 KiB stretch at a
// time, into the column sums of one stretch of C, which stay in L1.
//
// Same operations per element as the register tile (gemm_micro.hpp): for each K step of KC,
// acc = fma(a_p, b_p, acc) for p in order from zero, then C = acc or C = C + acc. So the result
// is bit-identical to the blocked GEMM's, for any number of threads.
#include <cstddef>
#include <type_traits>

#include "gan/kernels/cpu/gemm_pack.hpp"
#include "gan/kernels/cpu/simd.hpp"

GAN_NAMESPACE_BEGIN
namespace kernels::cpu_detail {

template <class T>
struct stream_layout {
    // Elements of a row of A per stretch: a page, which the hardware prefetcher follows.
    static constexpr std::size_t chunk = 4096 / sizeof(T);
    // Rows of A ahead whose stretch is prefetched: the prefetcher does not cross to the next
    // row's page by itself.
    static constexpr std::size_t rows_ahead = 4;
};

// Adds rows [p0, p1) of A (row p at a + p * lda, `rows` values from the stretch's start) times
// op(B)(p, j) into acc[j][0 .. rows), for j < JB. Rows are taken RB at a time, so that each
// column sum is loaded and stored once per RB rows rather than once per row: a quarter of those
// loads and stores, about half the instructions per value of A, and more of A in flight. G128/u5
// (a 2×2 image's transposed convolution, its 32 MiB of weights from memory) on an Intel Xeon:
// 1.72 → 1.34 ms on two threads (25 GB/s, what the VM gives a prefetched read), 3.2 → 2.65 ms on
// one. The FMAs of an element still run row by row in order: the same bits.
template <class T, std::size_t JB>
void stream_accumulate(std::size_t rows, std::size_t p0, std::size_t p1, std::size_t k, const T* a,
                       std::size_t lda, operand<T> b, T (&acc)[JB][stream_layout<T>::chunk]) {
    using S = simd<T>;
    using V = typename S::vector;
    constexpr std::size_t W = S::width, line = 64 / sizeof(T), ahead = stream_layout<T>::rows_ahead;
    // RB × JB broadcasts of B, JB sums and a value of A in registers.
    constexpr std::size_t RB = S::registers >= 32 ? 4 : 2;
    const std::size_t full = rows / W * W;
    const auto rows_from = [&]<std::size_t R>(std::size_t p, std::integral_constant<std::size_t, R>) {
        const T* row[R];
        V bj[R][JB];
        for (std::size_t r = 0; r < R; ++r) {
            row[r] = a + (p + r) * lda;
            for (std::size_t j = 0; j < JB; ++j) bj[r][j] = S::broadcast(*b.at(p + r, j));
        }
        const bool prefetch = p + R + ahead <= k;
        for (std::size_t i = 0; i < full; i += W) {
            if (prefetch && i % line == 0)
#pragma GCC unroll 4
                for (std::size_t r = 0; r < R; ++r) __builtin_prefetch(row[r] + ahead * lda + i);
            V sum[JB];
#pragma GCC unroll 4
            for (std::size_t j = 0; j < JB; ++j) sum[j] = S::load_aligned(acc[j] + i);
#pragma GCC unroll 4
            for (std::size_t r = 0; r < R; ++r) {
                const V w = S::load_unaligned(row[r] + i);
#pragma GCC unroll 4
                for (std::size_t j = 0; j < JB; ++j) sum[j] = S::fma(w, bj[r][j], sum[j]);
            }
#pragma GCC unroll 4
            for (std::size_t j = 0; j < JB; ++j) S::store_aligned(sum[j], acc[j] + i);
        }
        if (full < rows)  // the last few values of each row, through a zero-padded vector
            for (std::size_t r = 0; r < R; ++r) {
                alignas(64) T tail[W] = {};
                for (std::size_t i = full; i < rows; ++i) tail[i - full] = row[r][i];
                const V w = S::load_aligned(tail);
                for (std::size_t j = 0; j < JB; ++j)
                    S::store_aligned(S::fma(w, bj[r][j], S::load_aligned(acc[j] + full)), acc[j] + full);
            }
    };
    std::size_t p = p0;
    for (; p + RB <= p1; p += RB) rows_from(p, std::integral_constant<std::size_t, RB>{});
    for (; p < p1; ++p) rows_from(p, std::integral_constant<std::size_t, 1>{});
}

}  // namespace kernels::cpu_detail
GAN_NAMESPACE_END

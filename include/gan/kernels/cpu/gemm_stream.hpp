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
// op(B)(p, j) into acc[j][0 .. rows), for j < JB.
template <class T, std::size_t JB>
void stream_accumulate(std::size_t rows, std::size_t p0, std::size_t p1, std::size_t k, const T* a,
                       std::size_t lda, operand<T> b, T (&acc)[JB][stream_layout<T>::chunk]) {
    using S = simd<T>;
    using V = typename S::vector;
    constexpr std::size_t W = S::width, line = 64 / sizeof(T), ahead = stream_layout<T>::rows_ahead;
    const std::size_t full = rows / W * W;
    for (std::size_t p = p0; p < p1; ++p) {
        const T* row = a + p * lda;
        const bool prefetch = p + ahead < k;
        V bj[JB];
        for (std::size_t j = 0; j < JB; ++j) bj[j] = S::broadcast(*b.at(p, j));
        for (std::size_t i = 0; i < full; i += W) {
            if (prefetch && i % line == 0) __builtin_prefetch(row + ahead * lda + i);
            const V w = S::load_unaligned(row + i);
#pragma GCC unroll 4
            for (std::size_t j = 0; j < JB; ++j)
                S::store_aligned(S::fma(w, bj[j], S::load_aligned(acc[j] + i)), acc[j] + i);
        }
        if (full < rows) {  // the last few values of a row, through a zero-padded vector
            alignas(64) T tail[W] = {};
            for (std::size_t i = full; i < rows; ++i) tail[i - full] = row[i];
            const V w = S::load_aligned(tail);
            for (std::size_t j = 0; j < JB; ++j)
                S::store_aligned(S::fma(w, bj[j], S::load_aligned(acc[j] + full)), acc[j] + full);
        }
    }
}

}  // namespace kernels::cpu_detail
GAN_NAMESPACE_END

#pragma once
// The product with at most four columns when op(A) is stored row by row (a convolution on a 2×2
// or 1×1 image, a GEMV): bound by reading A, which is read here once, as stored, with no packing.
// Each C value is the dot product of a row of A with a column of op(B), the columns copied
// contiguous first; R rows × JB columns of vector accumulators run in step over K, and each is
// summed across its lanes at the end.
#include <cstddef>

#include "gan/kernels/cpu/gemm_pack.hpp"
#include "gan/kernels/cpu/simd.hpp"

GAN_NAMESPACE_BEGIN
namespace kernels::cpu_detail {

// R rows of C from R rows of A at a (row stride lda) and JB columns of op(B) at bt (column j at
// bt + j * k); C element (i, j) at c[i * rs + j * cs].
template <class T, std::size_t R, std::size_t JB>
void dot_rows(std::size_t k, const T* a, std::size_t lda, const T* bt, T* c, std::size_t rs, std::size_t cs,
              bool accumulate) {
    using S = simd<T>;
    using V = typename S::vector;
    V acc[R][JB];
    for (std::size_t r = 0; r < R; ++r)
        for (std::size_t j = 0; j < JB; ++j) acc[r][j] = S::zero();
    std::size_t p = 0;
    for (; p + S::width <= k; p += S::width) {
        V bv[JB];
#pragma GCC unroll 4
        for (std::size_t j = 0; j < JB; ++j) bv[j] = S::load_unaligned(bt + j * k + p);
#pragma GCC unroll 8
        for (std::size_t r = 0; r < R; ++r) {
            const V av = S::load_unaligned(a + r * lda + p);
#pragma GCC unroll 4
            for (std::size_t j = 0; j < JB; ++j) acc[r][j] = S::fma(av, bv[j], acc[r][j]);
        }
    }
    for (std::size_t r = 0; r < R; ++r)
        for (std::size_t j = 0; j < JB; ++j) {
            T sum = S::sum(acc[r][j]);
            for (std::size_t q = p; q < k; ++q) sum += a[r * lda + q] * bt[j * k + q];
            T& dst = c[r * rs + j * cs];
            dst = accumulate ? dst + sum : sum;
        }
}

}  // namespace kernels::cpu_detail
GAN_NAMESPACE_END

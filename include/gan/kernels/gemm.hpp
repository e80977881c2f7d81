#pragma once
// Dense matrix multiplication, the workhorse of the convolutions.
//
//   C[M×N] (+)= op(A)[M×K] · op(B)[K×N]        all matrices row-major
//
// op(X) is X or its transpose. With accumulate = false C is overwritten, otherwise added to.
// Results are deterministic: every element of C is summed over k in the same order whatever the
// number of threads (work is split over blocks of C, never over k).
//
// gemm(cpu, ...) is the packed, register-blocked, TBB-parallel kernel of kernels/cpu/; overloads
// take A pre-packed once for weights used in many products (PackedA; StreamedA for products of
// at most four columns); gemm_bf16 multiplies in bfloat16 for gan::Autocast (lower precision).
#include <cstddef>

#include "gan/core/backend.hpp"
#include "gan/core/tensor.hpp"
#include "gan/kernels/cpu/gemm_bf16.hpp"
#include "gan/kernels/cpu/gemm_driver.hpp"
#include "gan/kernels/gemm_shape.hpp"

GAN_NAMESPACE_BEGIN
namespace kernels {

// Reference implementation: simple, obviously correct, used to test the fast one.
template <Scalar T>
void gemm_reference(const GemmShape& s, const T* a, const T* b, T* c, bool accumulate) {
    for (std::size_t i = 0; i < s.m; ++i)
        for (std::size_t j = 0; j < s.n; ++j) {
            T sum = 0;
            for (std::size_t p = 0; p < s.k; ++p) {
                const T av = s.transpose_a == Transpose::no ? a[i * s.lda + p] : a[p * s.lda + i];
                const T bv = s.transpose_b == Transpose::no ? b[p * s.ldb + j] : b[j * s.ldb + p];
                sum += av * bv;
            }
            c[i * s.ldc + j] = accumulate ? c[i * s.ldc + j] + sum : sum;
        }
}

}  // namespace kernels
GAN_NAMESPACE_END

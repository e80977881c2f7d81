#pragma once
// The description of one matrix product, shared by the GEMM front end and its CPU implementation.
#include <cstddef>

#include "gan/version.hpp"

GAN_NAMESPACE_BEGIN
namespace kernels {

enum class Transpose { no, yes };

struct GemmShape {
    std::size_t m = 0, n = 0, k = 0;
    Transpose transpose_a = Transpose::no;
    Transpose transpose_b = Transpose::no;
    std::size_t lda = 0, ldb = 0, ldc = 0;  // leading dimensions (row strides) as stored
};

}  // namespace kernels
GAN_NAMESPACE_END

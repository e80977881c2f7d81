#pragma once
// A convolution's weight gradient, dW = op(A) · op(B), from a batch of one sample: stored into
// the weight's gradient, or, where the weight's optimiser steps in backward
// (Adam::step_in_backward) and the product completes dW a panel of rows at a time, handed to the
// optimiser panel by panel while the panel is still in cache (kernels::gemm_row_slabs).
//
// Why: the deep layers of a U-Net hold most of its weights (at 128 × 128, 36 of the generator's
// 41.8 M parameters sit in layers on 8 × 8 images and smaller), and their weight gradients are
// products with a few K steps that are bound by writing C. Written whole, a 16–32 MiB gradient
// goes to memory and is read back by the update; slice by slice it never leaves L2, and Adam's
// lent buffer need not be as large as the largest weight (627 instead of 655 MiB for a 128 × 128
// training step; its time moved less than the run-to-run noise, docs/performance.md).
#include <cstddef>
#include <type_traits>

#include "gan/core/backend.hpp"
#include "gan/kernels/gemm.hpp"
#include "gan/layers/parameter.hpp"

GAN_NAMESPACE_BEGIN
namespace detail {

// Whether a convolution's training products take gan::Autocast's bfloat16 operands: those of
// at least 128 columns (a Conv2d's output pixels, a ConvTranspose2d's input pixels). The weights
// change every step, so each step rounds them again, about 0.4 ns a weight on two cores, which
// costs more than the tiles save on a product of few columns: on 64 (the 8 × 8 images of a
// 128 × 128 U-Net, 6.3 M of its weights) the training step took the same time either way
// (docs/performance.md), and used 24 MiB more.
constexpr bool bfloat16_trains(std::size_t columns) noexcept { return columns >= 128; }

// dW (+)= op(A) · op(B) with bfloat16 operands (gan::Autocast): A, an activation or its
// gradient, rounded into the calling thread's storage (kept for the next layer and step), then
// kernels::gemm_bf16.
inline void weight_gradient_bfloat16(const kernels::GemmShape& s, const float* a, const float* b, float* dw,
                                     bool accumulate) {
    thread_local kernels::BFloat16A operand;
    operand.pack(s.m, s.k, s.transpose_a, a, s.lda);
    kernels::gemm_bf16(cpu{}, s, operand, b, dw, accumulate);
}

// Whether the weight gradient of a pass over `batch` samples with product `s` may go to the
// optimiser slice by slice. The layer must then be done with the weight's value before it
// computes the gradient (a Conv2d computes its input gradient first).
template <Scalar T, Backend B>
bool weight_gradient_in_slices(const Parameter<T, B>& weight, const kernels::GemmShape& s, std::size_t batch) {
    if constexpr (std::is_same_v<B, cpu>)
        return batch == 1 && weight.gradient_sunk() && kernels::gemm_completes_rows(s);
    else
        return false;
}

// The whole weight gradient of a pass over one sample, dW = op(A) · op(B) (s.ldc: dW's row
// length): to the optimiser slice by slice where weight_gradient_in_slices and its sink takes
// them; otherwise stored into (or, after a backward pass without zero_grad(), added to) the
// weight's gradient.
template <Scalar T, Backend B>
void store_weight_gradient(Parameter<T, B>& weight, const kernels::GemmShape& s, const T* a, const T* b) {
    if constexpr (std::is_same_v<B, cpu>) {
        if (weight_gradient_in_slices(weight, s, 1))
            if (GradientSink<T, B>* sink = weight.begin_gradient_slices()) {
                kernels::gemm_row_slabs(B{}, s, a, b, [&](std::size_t row, std::size_t rows, const T* panel) {
                    sink->update_slice(panel, row * s.n, rows * s.n);
                });
                sink->end_slices();
                return;
            }
    }
    const auto target = weight.gradient_target();
    kernels::gemm(B{}, s, a, b, target.data, !target.overwrite);
}

}  // namespace detail
GAN_NAMESPACE_END

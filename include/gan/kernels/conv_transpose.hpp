#pragma once
// A transposed convolution, y = col2im(Wᵀ · x): ConvTranspose2d's forward passes, and Conv2d's
// input gradient (the transposed convolution of the output gradient). The product is split
// between the threads by output channels, and each thread scatters the channels whose rows of
// the column matrix it has just computed.
//
// Why: split by columns, as a plain product is, a channel's rows of the column matrix come from
// both cores and col2im on either reads half of them from the other's cache (G128/u1: col2im
// 0.25 ms after the product against 0.18 ms alone).
#include <cstddef>
#include <string>
#include <type_traits>

#include "gan/core/backend.hpp"
#include "gan/core/error.hpp"
#include "gan/core/tensor.hpp"
#include "gan/kernels/gemm.hpp"
#include "gan/kernels/im2col.hpp"

GAN_NAMESPACE_BEGIN
namespace kernels {

// What runs on each output channel once it is complete: nothing, unless the caller fuses the
// steps that follow (a bias, a norm and an activation) while the channel is in the cache of the
// core that computed it.
struct no_channel_epilogue {
    void operator()(std::size_t /*channel*/) const noexcept {}
};

namespace detail {
template <Scalar T, class Weights, class Epilogue>
void conv_transpose_columns(const ConvGeometry& g, const Weights& w, std::size_t depth, const T* x, T* cols, T* y,
                            const Epilogue& epilogue) {
    const std::size_t taps = g.kernel * g.kernel;
    const GemmShape columns{g.rows(), g.columns(), depth, Transpose::yes, Transpose::no, g.rows(), g.columns(),
                            g.columns()};
    gemm_in_row_groups(cpu{}, columns, w, x, cols, taps, [&](std::size_t row0, std::size_t row1) {
        for (std::size_t c = row0 / taps; c < row1 / taps; ++c) {
            col2im_channel(g, cols, y, c, false);
            epilogue(c);
        }
    });
}

inline void check_transpose_pixels(const ConvGeometry& g) {
    if (g.columns() <= 4)
        throw shape_error("conv_transpose_forward: an input of " + std::to_string(g.columns()) +
                          " pixels; it needs more than 4 (use gemm and col2im)");
}
}  // namespace detail

// One sample: y [C][H][W] = col2im(Wᵀ · x), where g is the geometry of the convolution this one
// is the adjoint of (C = g.channels channels of y; x has `depth` channels of g.columns() > 4
// pixels), W is stored depth × g.rows() (ConvTranspose2d's weight [in][out][k][k]; Conv2d's
// [out][in][k][k] for its input gradient, x the output gradient), and cols holds g.rows() ×
// g.columns() values of workspace. Same bits as gemm followed by col2im. epilogue(c) runs once
// channel c of y is complete, on the thread that computed it.
template <Scalar T, class Epilogue = no_channel_epilogue>
void conv_transpose_forward(cpu, const ConvGeometry& g, const T* w, std::size_t depth, const T* x, T* cols, T* y,
                            const Epilogue& epilogue = {}) {
    detail::check_transpose_pixels(g);
    detail::conv_transpose_columns(g, w, depth, x, cols, y, epilogue);
}

// The same with Wᵀ (g.rows() × depth) packed once: by PackedA (the const inference pass), or
// rounded to bfloat16 by BFloat16A for the products on bfloat16 operands (gan::Autocast: lower
// precision; kernels/cpu/gemm_bf16.hpp).
template <Scalar T, class Packed, class Epilogue = no_channel_epilogue>
    requires std::is_same_v<Packed, PackedA<T>> || (std::is_same_v<T, float> && std::is_same_v<Packed, BFloat16A>)
void conv_transpose_forward(cpu, const ConvGeometry& g, const Packed& w, const T* x, T* cols, T* y,
                            const Epilogue& epilogue = {}) {
    detail::check_transpose_pixels(g);
    if (w.rows() != g.rows())
        throw shape_error("conv_transpose_forward: the weights were packed with " + std::to_string(w.rows()) +
                          " rows but the geometry has " + std::to_string(g.rows()) +
                          " (channels x kernel x kernel); pack the weights for this geometry");
    detail::conv_transpose_columns(g, w, w.depth(), x, cols, y, epilogue);
}

}  // namespace kernels
GAN_NAMESPACE_END

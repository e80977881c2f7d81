#pragma once
// A transposed convolution's forward pass with weights packed once (the const inference pass of
// ConvTranspose2d): the column matrix Wᵀ · x, then col2im, with each thread scattering the
// output channels whose rows of the column matrix it has just computed.
#include <cstddef>
#include <string>

#include "gan/core/backend.hpp"
#include "gan/core/error.hpp"
#include "gan/core/tensor.hpp"
#include "gan/kernels/gemm.hpp"
#include "gan/kernels/im2col.hpp"

GAN_NAMESPACE_BEGIN
namespace kernels {

// One sample: y [C][H][W] = col2im(Wᵀ · x), where g is the geometry of the convolution this one
// is the adjoint of (C = g.channels output channels, x of g.columns() pixels), Wᵀ (C·K·K rows ×
// the input's channels) is packed by PackedA, and cols holds g.rows() × g.columns() values of
// workspace. Same bits as gemm with that PackedA followed by col2im, when x has more than four
// pixels. Why: split by columns, as a plain product is, the column matrix's rows for a channel
// come from both cores and col2im on either reads half of them from the other's cache (G128/u1:
// col2im 0.25 ms after the product against 0.18 ms alone); split by channels, each core
// scatters what it has just computed.
template <Scalar T>
void conv_transpose_forward_packed(cpu, const ConvGeometry& g, const PackedA<T>& w, const T* x, T* cols, T* y) {
    if (w.rows() != g.rows() || g.columns() <= 4)
        throw shape_error("conv_transpose_forward_packed: the weights were packed with " + std::to_string(w.rows()) +
                          " rows but the geometry has " + std::to_string(g.rows()) + " (channels x kernel x kernel), over " +
                          std::to_string(g.columns()) + " pixels (more than 4 needed); pack the weights for this geometry");
    const std::size_t taps = g.kernel * g.kernel;
    const GemmShape columns{g.rows(), g.columns(), w.depth(), Transpose::yes, Transpose::no, g.rows(), g.columns(),
                            g.columns()};
    gemm_in_row_groups(cpu{}, columns, w, x, cols, taps, [&](std::size_t row0, std::size_t row1) {
        for (std::size_t c = row0 / taps; c < row1 / taps; ++c) detail::col2im_channel(g, cols, y, c, false);
    });
}

}  // namespace kernels
GAN_NAMESPACE_END

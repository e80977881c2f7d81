#pragma once
// A convolution as one GEMM whose B panels are packed straight from the image (the column
// matrix is never formed; see kernels/cpu/pack_im2col.hpp for why that pays), with weights
// packed once: the const inference pass of Conv2d.
#include <cstddef>
#include <string>

#include "gan/core/backend.hpp"
#include "gan/core/error.hpp"
#include "gan/core/tensor.hpp"
#include "gan/kernels/gemm.hpp"
#include "gan/kernels/im2col.hpp"

GAN_NAMESPACE_BEGIN
namespace kernels {

// One sample: y [M][OH·OW] = W · im2col(x), with W (M × C·K·K, PyTorch's flattened weight) packed
// by PackedA. When the output has more than four pixels, y has the same bits as im2col followed
// by gemm with the same PackedA (smaller outputs take kernels of their own there).
template <Scalar T>
void conv_forward_implicit(cpu, const ConvGeometry& g, const PackedA<T>& w, const T* x, T* y) {
    if (w.depth() != g.rows())
        throw shape_error("conv_forward_implicit: the weights were packed with " + std::to_string(w.depth()) +
                          " values per output channel but the geometry has " + std::to_string(g.rows()) +
                          " (channels x kernel x kernel); pack the weights for this geometry");
    const cpu_detail::im2col_operand<T> b{g, x};
    cpu_detail::with_tile_vectors<T>(g.columns(), [&](auto nv) {
        cpu_detail::gemm_blocked<T, nv>(w.rows(), g.columns(), g.rows(), cpu_detail::a_prepacked<T>{w.data()}, b, y,
                                        g.columns(), 1, false);
    });
}

}  // namespace kernels
GAN_NAMESPACE_END

#pragma once
// im2col / col2im: the reshuffles that turn a convolution into one GEMM.
//
// For an input of C channels of H×W and a K×K window with stride S and padding P, the column
// matrix has C·K·K rows, ordered (c, kh, kw) like PyTorch's flattened weight [out][in][k][k], and
// OH·OW columns, one per output pixel. col2im is its adjoint: it scatters columns back, adding
// where windows overlap; ConvTranspose2d's forward pass and Conv2d's input gradient use it.
#include <cstddef>

#include "gan/core/backend.hpp"
#include "gan/core/tensor.hpp"
#include "gan/kernels/parallel.hpp"

GAN_NAMESPACE_BEGIN
namespace kernels {

struct ConvGeometry {
    std::size_t channels = 0, height = 0, width = 0;
    std::size_t kernel = 0, stride = 1, padding = 0;
    std::size_t out_height = 0, out_width = 0;

    std::size_t rows() const noexcept { return channels * kernel * kernel; }
    std::size_t columns() const noexcept { return out_height * out_width; }
};

// One sample: x [C][H][W] → cols [C·K·K][OH·OW].
template <Scalar T>
void im2col(cpu, const ConvGeometry& g, const T* x, T* cols) {
    detail::parallel_items(g.channels, [&](std::size_t c) {
        const T* plane = x + c * g.height * g.width;
        for (std::size_t kh = 0; kh < g.kernel; ++kh)
            for (std::size_t kw = 0; kw < g.kernel; ++kw) {
                T* row = cols + ((c * g.kernel + kh) * g.kernel + kw) * g.columns();
                for (std::size_t oh = 0; oh < g.out_height; ++oh) {
                    // Signed arithmetic: the window starts before row 0 where there is padding.
                    const std::ptrdiff_t h = std::ptrdiff_t(oh * g.stride + kh) - std::ptrdiff_t(g.padding);
                    T* out = row + oh * g.out_width;
                    if (h < 0 || h >= std::ptrdiff_t(g.height)) {
                        for (std::size_t ow = 0; ow < g.out_width; ++ow) out[ow] = T(0);
                        continue;
                    }
                    const T* in = plane + std::size_t(h) * g.width;
                    for (std::size_t ow = 0; ow < g.out_width; ++ow) {
                        const std::ptrdiff_t w = std::ptrdiff_t(ow * g.stride + kw) - std::ptrdiff_t(g.padding);
                        out[ow] = (w < 0 || w >= std::ptrdiff_t(g.width)) ? T(0) : in[w];
                    }
                }
            }
    });
}

// One sample: x [C][H][W] (+)= scatter of cols [C·K·K][OH·OW]. Each channel is summed in the
// same (kh, kw, oh, ow) order on any thread.
template <Scalar T>
void col2im(cpu, const ConvGeometry& g, const T* cols, T* x, bool accumulate) {
    detail::parallel_items(g.channels, [&](std::size_t c) {
        T* plane = x + c * g.height * g.width;
        if (!accumulate)
            for (std::size_t i = 0; i < g.height * g.width; ++i) plane[i] = T(0);
        for (std::size_t kh = 0; kh < g.kernel; ++kh)
            for (std::size_t kw = 0; kw < g.kernel; ++kw) {
                const T* row = cols + ((c * g.kernel + kh) * g.kernel + kw) * g.columns();
                for (std::size_t oh = 0; oh < g.out_height; ++oh) {
                    const std::ptrdiff_t h = std::ptrdiff_t(oh * g.stride + kh) - std::ptrdiff_t(g.padding);
                    if (h < 0 || h >= std::ptrdiff_t(g.height)) continue;
                    T* out = plane + std::size_t(h) * g.width;
                    const T* in = row + oh * g.out_width;
                    for (std::size_t ow = 0; ow < g.out_width; ++ow) {
                        const std::ptrdiff_t w = std::ptrdiff_t(ow * g.stride + kw) - std::ptrdiff_t(g.padding);
                        if (w >= 0 && w < std::ptrdiff_t(g.width)) out[w] += in[ow];
                    }
                }
            }
    });
}

}  // namespace kernels
GAN_NAMESPACE_END

#pragma once
// A stride-1 convolution to a single output channel, computed directly rather than as im2col +
// GEMM.
//
// A PatchGAN ends in one: 512 channels of 15 × 15 to one map of 14 × 14 at 128 × 128, 1.6 M
// multiply-adds. As im2col + GEMM, each pass writes and reads back a column matrix of 8192 × 196
// values (6.4 MB) for a product with one row, and the backward pass an outer product of the
// same size that col2im then scatters. Directly, each pass reads the input (or writes its
// gradient) once, with the input's padding written out so that every kernel tap is one long
// vectorised stretch: output pixel (oh, ow) sits at oh · Wp + ow in rows of the padded width Wp,
// and tap (kh, kw) of all of them reads the padded plane from kh · Wp + kw on. The columns past
// OW in each such row are computed and dropped. Every value sums its terms in one order —
// channels, then kernel rows, then kernel columns — whatever the thread count.
#include <algorithm>
#include <cstddef>

#include "gan/core/backend.hpp"
#include "gan/core/tensor.hpp"
#include "gan/kernels/cpu/simd.hpp"
#include "gan/kernels/im2col.hpp"
#include "gan/kernels/parallel.hpp"

GAN_NAMESPACE_BEGIN
namespace kernels {

// Values of workspace each pass needs: the padded input planes and one padded-width output map.
constexpr std::size_t conv_single_workspace(const ConvGeometry& g) noexcept {
    const std::size_t wp = g.width + 2 * g.padding;
    return (g.channels * (g.height + 2 * g.padding) + g.out_height) * wp;
}

namespace detail {
struct PaddedLayout {
    std::size_t wp, plane, span;  // padded width, padded plane, output stretch (last pixel + 1)
};
constexpr PaddedLayout padded_layout(const ConvGeometry& g) noexcept {
    const std::size_t wp = g.width + 2 * g.padding;
    return {wp, (g.height + 2 * g.padding) * wp, (g.out_height - 1) * wp + g.out_width};
}

// y[i] += a · x[i] for i < n. Restrict-qualified, so that the compiler vectorises without first
// testing whether x and y overlap.
template <class T>
inline void axpy_stretch(T a, const T* __restrict x, T* __restrict y, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) y[i] += a * x[i];
}

// Σ x[i] · y[i] in lane-wise partial sums, added up in a fixed order.
template <class T>
T dot_stretch(const T* x, const T* y, std::size_t n) {
    using S = cpu_detail::simd<T>;
    typename S::vector acc = S::zero();
    std::size_t i = 0;
    for (; i + S::width <= n; i += S::width) acc = S::fma(S::load_unaligned(x + i), S::load_unaligned(y + i), acc);
    T sum = S::sum(acc);
    for (; i < n; ++i) sum += x[i] * y[i];
    return sum;
}

// x [C][H][W] → xp [C][H + 2P][W + 2P], the border zero.
template <class T>
void pad_planes(const ConvGeometry& g, const T* x, T* xp) {
    const PaddedLayout l = padded_layout(g);
    parallel_items(g.channels, [&](std::size_t c) {
        T* out = xp + c * l.plane;
        std::fill(out, out + l.plane, T(0));
        for (std::size_t h = 0; h < g.height; ++h)
            std::copy(x + (c * g.height + h) * g.width, x + (c * g.height + h + 1) * g.width,
                      out + (h + g.padding) * l.wp + g.padding);
    });
}
}  // namespace detail

// One sample: y [OH][OW] = Σ over c, kh, kw of w[c][kh][kw] · x[c][oh + kh − P][ow + kw − P],
// taps outside the input contributing nothing. Stride 1; `work` holds conv_single_workspace(g).
template <Scalar T>
void conv_single_forward(cpu, const ConvGeometry& g, const T* x, const T* w, T* y, T* work) {
    const detail::PaddedLayout l = detail::padded_layout(g);
    T* xp = work;
    T* yp = work + g.channels * l.plane;
    detail::pad_planes(g, x, xp);
    std::fill(yp, yp + l.span, T(0));
    for (std::size_t c = 0; c < g.channels; ++c)
        for (std::size_t kh = 0; kh < g.kernel; ++kh)
            for (std::size_t kw = 0; kw < g.kernel; ++kw)
                detail::axpy_stretch(w[(c * g.kernel + kh) * g.kernel + kw], xp + c * l.plane + kh * l.wp + kw, yp,
                                     l.span);
    for (std::size_t oh = 0; oh < g.out_height; ++oh)
        std::copy(yp + oh * l.wp, yp + oh * l.wp + g.out_width, y + oh * g.out_width);
}

namespace detail {
// dy [OH][OW] at the padded width, zeros in the columns past OW: there they add nothing.
template <class T>
void spread_output(const ConvGeometry& g, const T* dy, T* dyp) {
    const PaddedLayout l = padded_layout(g);
    std::fill(dyp, dyp + l.span, T(0));
    for (std::size_t oh = 0; oh < g.out_height; ++oh)
        std::copy(dy + oh * g.out_width, dy + (oh + 1) * g.out_width, dyp + oh * l.wp);
}
}  // namespace detail

// One sample: dx [C][H][W] = the adjoint of conv_single_forward applied to dy [OH][OW] (stored,
// not added). Each input value adds its taps in (kh, kw) order, as col2im does.
template <Scalar T>
void conv_single_backward_input(cpu, const ConvGeometry& g, const T* w, const T* dy, T* dx, T* work) {
    const detail::PaddedLayout l = detail::padded_layout(g);
    T* dyp = work + g.channels * l.plane;
    detail::spread_output(g, dy, dyp);
    detail::parallel_items(g.channels, [&](std::size_t c) {
        T* p = work + c * l.plane;
        std::fill(p, p + l.plane, T(0));
        for (std::size_t kh = 0; kh < g.kernel; ++kh)
            for (std::size_t kw = 0; kw < g.kernel; ++kw)
                detail::axpy_stretch(w[(c * g.kernel + kh) * g.kernel + kw], dyp, p + kh * l.wp + kw, l.span);
        for (std::size_t h = 0; h < g.height; ++h)
            std::copy(p + (h + g.padding) * l.wp + g.padding, p + (h + g.padding) * l.wp + g.padding + g.width,
                      dx + (c * g.height + h) * g.width);
    });
}

// One sample: dw [C][K][K] (+)= Σ over oh, ow of dy[oh][ow] · x[c][oh + kh − P][ow + kw − P].
// (The dropped columns pair input values with zeros; a non-finite input value thus reaches
// every tap's sum, where the loss is non-finite anyway.)
template <Scalar T>
void conv_single_backward_weight(cpu, const ConvGeometry& g, const T* x, const T* dy, T* dw, bool accumulate,
                                 T* work) {
    const detail::PaddedLayout l = detail::padded_layout(g);
    T* xp = work;
    T* dyp = work + g.channels * l.plane;
    detail::pad_planes(g, x, xp);
    detail::spread_output(g, dy, dyp);
    detail::parallel_items(g.channels, [&](std::size_t c) {
        for (std::size_t kh = 0; kh < g.kernel; ++kh)
            for (std::size_t kw = 0; kw < g.kernel; ++kw) {
                const T sum = detail::dot_stretch(dyp, xp + c * l.plane + kh * l.wp + kw, l.span);
                T& dst = dw[(c * g.kernel + kh) * g.kernel + kw];
                dst = accumulate ? dst + sum : sum;
            }
    });
}

}  // namespace kernels
GAN_NAMESPACE_END

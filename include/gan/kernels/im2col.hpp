#pragma once
// im2col / col2im: the reshuffles that turn a convolution into one GEMM.
//
// For an input of C channels of H×W and a K×K window with stride S and padding P, the column
// matrix has C·K·K rows, ordered (c, kh, kw) like PyTorch's flattened weight [out][in][k][k], and
// OH·OW columns, one per output pixel. col2im is its adjoint: it scatters columns back, adding
// where windows overlap; ConvTranspose2d's forward pass and Conv2d's input gradient use it.
#include <algorithm>
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

    constexpr std::size_t rows() const noexcept { return channels * kernel * kernel; }
    constexpr std::size_t columns() const noexcept { return out_height * out_width; }
};

namespace detail {
// The output positions [begin, end) of a row (or column) whose tap at kernel offset k lands
// inside an input of `extent` pixels: 0 ≤ o·S + k − P < extent. Splitting the loops at these
// bounds leaves no bounds test in the inner loops.
struct TapRange {
    std::size_t begin, end;
};
constexpr TapRange tap_range(std::size_t k, std::size_t stride, std::size_t padding, std::size_t extent,
                             std::size_t outputs) noexcept {
    const std::size_t begin = padding > k ? (padding - k + stride - 1) / stride : 0;
    const std::size_t end = extent + padding > k ? (extent + padding - k - 1) / stride + 1 : 0;
    const std::size_t e = end < outputs ? end : outputs;
    return {begin < e ? begin : e, e};
}
}  // namespace detail

// The same convolution without the kernel taps that can only ever meet padding: on an input
// smaller than the kernel's reach (the 2×2 → 1×1 innermost layer of a U-Net, where 12 of 16
// taps read zeros) their weights and im2col rows add nothing but memory traffic. Tap k reaches
// the input for some output o when P ≤ o·S + k < extent + P; the live taps form a range
// [first, first + K′) in each direction, and the convolution with kernel K′ and padding P − first
// gives the same outputs. Returns g itself when no tap is dead, or when the live taps are not
// one range or not the same range along both axes (a square kernel).
constexpr ConvGeometry without_dead_taps(const ConvGeometry& g) noexcept {
    struct Live {
        std::size_t first, count;
    };
    const auto live = [&](std::size_t extent, std::size_t outputs) -> Live {
        std::size_t first = g.kernel, last = 0;
        for (std::size_t k = 0; k < g.kernel; ++k) {
            const auto r = detail::tap_range(k, g.stride, g.padding, extent, outputs);
            if (r.begin == r.end) continue;
            if (first == g.kernel) first = k;
            else if (last + 1 != k) return {0, g.kernel};  // a gap: not one range
            last = k;
        }
        return first == g.kernel ? Live{0, g.kernel} : Live{first, last - first + 1};
    };
    const Live rows = live(g.height, g.out_height), columns = live(g.width, g.out_width);
    if (rows.first != columns.first || rows.count != columns.count || rows.count == g.kernel || rows.first > g.padding)
        return g;  // (the last test never holds: tap P is live when P < K, and first < K)
    ConvGeometry trimmed = g;
    trimmed.kernel = rows.count;
    trimmed.padding = g.padding - rows.first;
    return trimmed;
}

namespace detail {
// out[t] = in[t · stride] for t < n, the stride a constant where it is one the compiler can turn
// into vector loads and shuffles (every strided layer of pix2pix has stride 2): one tap of one
// output row, for im2col and for the GEMM's packing straight from the image.
template <class T>
inline void gather_strided(const T* __restrict in, std::size_t stride, T* __restrict out, std::size_t n) {
    if (stride == 1)
        std::copy(in, in + n, out);
    else if (stride == 2)
        for (std::size_t t = 0; t < n; ++t) out[t] = in[2 * t];
    else
        for (std::size_t t = 0; t < n; ++t) out[t] = in[t * stride];
}

// Kernel 4, stride 2, padding 1 on an even width (W = 2·OW): every strided convolution of
// pix2pix. Tap kw of output column ow reads input column 2·ow + kw − 1, so the four taps of a row
// are the even and odd input columns, shifted by at most one: contiguous, vectorisable loops
// instead of a strided one per tap.
constexpr bool is_k4s2p1(const ConvGeometry& g) noexcept {
    return g.kernel == 4 && g.stride == 2 && g.padding == 1 && g.width == 2 * g.out_width && g.out_width >= 2;
}

// The four tap rows (kw = 0..3) of one output row from input row `in` (2·ow columns).
template <class T>
void im2col_k4s2p1_row(const T* __restrict in, std::size_t ow, T* __restrict r0, T* __restrict r1, T* __restrict r2,
                       T* __restrict r3) {
    for (std::size_t j = 0; j < ow; ++j) r1[j] = in[2 * j];
    for (std::size_t j = 0; j < ow; ++j) r2[j] = in[2 * j + 1];
    r0[0] = T(0);
    for (std::size_t j = 1; j < ow; ++j) r0[j] = in[2 * j - 1];
    for (std::size_t j = 0; j + 1 < ow; ++j) r3[j] = in[2 * j + 2];
    r3[ow - 1] = T(0);
}

// The adjoint: adds the four tap rows into output row `out`. Each element receives its taps in
// increasing kw, as the general loop (taps in (kh, kw) order, then rows) adds them, so the result
// is the same to the bit. Even columns take taps 1 and 3, odd columns taps 0 and 2.
template <class T>
void col2im_k4s2p1_row(const T* __restrict r0, const T* __restrict r1, const T* __restrict r2, const T* __restrict r3,
                       std::size_t ow, T* __restrict out) {
    out[0] = out[0] + r1[0];
    for (std::size_t j = 1; j < ow; ++j) out[2 * j] = (out[2 * j] + r1[j]) + r3[j - 1];
    for (std::size_t j = 0; j + 1 < ow; ++j) out[2 * j + 1] = (out[2 * j + 1] + r0[j + 1]) + r2[j];
    out[2 * ow - 1] = out[2 * ow - 1] + r2[ow - 1];
}
}  // namespace detail

// One sample: x [C][H][W] → cols [C·K·K][OH·OW].
template <Scalar T>
void im2col(cpu, const ConvGeometry& g, const T* x, T* cols) {
    if (detail::is_k4s2p1(g)) {
        detail::parallel_items(g.channels, [&](std::size_t c) {
            const T* plane = x + c * g.height * g.width;
            for (std::size_t kh = 0; kh < 4; ++kh) {
                T* rows = cols + c * 16 * g.columns() + kh * 4 * g.columns();
                for (std::size_t oh = 0; oh < g.out_height; ++oh) {
                    T* r = rows + oh * g.out_width;
                    const std::size_t ih = 2 * oh + kh;  // + 1: unsigned, and in range when 1 ≤ ih ≤ H
                    if (ih < 1 || ih > g.height) {
                        for (std::size_t kw = 0; kw < 4; ++kw) std::fill(r + kw * g.columns(), r + kw * g.columns() + g.out_width, T(0));
                        continue;
                    }
                    detail::im2col_k4s2p1_row(plane + (ih - 1) * g.width, g.out_width, r, r + g.columns(), r + 2 * g.columns(),
                                              r + 3 * g.columns());
                }
            }
        });
        return;
    }
    detail::parallel_items(g.channels, [&](std::size_t c) {
        const T* plane = x + c * g.height * g.width;
        for (std::size_t kh = 0; kh < g.kernel; ++kh) {
            const auto rows = detail::tap_range(kh, g.stride, g.padding, g.height, g.out_height);
            for (std::size_t kw = 0; kw < g.kernel; ++kw) {
                const auto columns = detail::tap_range(kw, g.stride, g.padding, g.width, g.out_width);
                T* row = cols + ((c * g.kernel + kh) * g.kernel + kw) * g.columns();
                std::fill(row, row + rows.begin * g.out_width, T(0));
                for (std::size_t oh = rows.begin; oh < rows.end; ++oh) {
                    T* out = row + oh * g.out_width;
                    // Unsigned and in range by construction: oh·S + kh ≥ P and ow·S + kw ≥ P.
                    const T* in = plane + (oh * g.stride + kh - g.padding) * g.width;
                    std::fill(out, out + columns.begin, T(0));
                    if (columns.begin < columns.end)
                        detail::gather_strided(in + columns.begin * g.stride + kw - g.padding, g.stride,
                                               out + columns.begin, columns.end - columns.begin);
                    std::fill(out + columns.end, out + g.out_width, T(0));
                }
                std::fill(row + rows.end * g.out_width, row + g.columns(), T(0));
            }
        }
    });
}

namespace detail {
// Channel c of col2im (below), on the calling thread.
template <Scalar T>
void col2im_channel(const ConvGeometry& g, const T* cols, T* x, std::size_t c, bool accumulate) {
    T* plane = x + c * g.height * g.width;
    if (!accumulate) std::fill(plane, plane + g.height * g.width, T(0));
    if (is_k4s2p1(g)) {
        for (std::size_t kh = 0; kh < 4; ++kh) {
            const T* rows = cols + c * 16 * g.columns() + kh * 4 * g.columns();
            for (std::size_t oh = 0; oh < g.out_height; ++oh) {
                const std::size_t ih = 2 * oh + kh;  // + 1, as in im2col
                if (ih < 1 || ih > g.height) continue;
                const T* r = rows + oh * g.out_width;
                col2im_k4s2p1_row(r, r + g.columns(), r + 2 * g.columns(), r + 3 * g.columns(), g.out_width,
                                  plane + (ih - 1) * g.width);
            }
        }
        return;
    }
    for (std::size_t kh = 0; kh < g.kernel; ++kh) {
        const auto rows = tap_range(kh, g.stride, g.padding, g.height, g.out_height);
        for (std::size_t kw = 0; kw < g.kernel; ++kw) {
            const auto columns = tap_range(kw, g.stride, g.padding, g.width, g.out_width);
            const T* row = cols + ((c * g.kernel + kh) * g.kernel + kw) * g.columns();
            for (std::size_t oh = rows.begin; oh < rows.end; ++oh) {
                const T* in = row + oh * g.out_width;
                T* out = plane + (oh * g.stride + kh - g.padding) * g.width;
                if (g.stride == 1) {
                    // Contiguous: vectorised (the discriminator's stride-1 layers).
                    for (std::size_t ow = columns.begin; ow < columns.end; ++ow) out[ow + kw - g.padding] += in[ow];
                } else {
                    for (std::size_t ow = columns.begin; ow < columns.end; ++ow) out[ow * g.stride + kw - g.padding] += in[ow];
                }
            }
        }
    }
}
}  // namespace detail

// One sample: x [C][H][W] (+)= scatter of cols [C·K·K][OH·OW]. Each channel is summed in the
// same (kh, kw, oh, ow) order on any thread.
template <Scalar T>
void col2im(cpu, const ConvGeometry& g, const T* cols, T* x, bool accumulate) {
    detail::parallel_items(g.channels, [&](std::size_t c) { detail::col2im_channel(g, cols, x, c, accumulate); });
}

}  // namespace kernels
GAN_NAMESPACE_END

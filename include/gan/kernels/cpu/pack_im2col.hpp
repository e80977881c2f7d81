#pragma once
// Packing the B panels of a convolution's GEMM straight from the image: the column matrix
// im2col(x) is never written out ("implicit GEMM").
//
// As im2col + GEMM, the const pass of a U-Net's stride-2 encoder layer writes a column matrix
// four times the size of its input (4 MiB at 64 × 64 × 64), which the GEMM then reads back to pack
// it: one more pass over memory, and one more fork. Worse, on two threads the two passes split
// it differently (im2col by channels, the GEMM by columns), so half of the lines each thread
// writes were last read by the other core and must first be taken back from it: im2col took
// 0.21–0.24 ms after a GEMM against 0.08 ms on its own (G128/d1's geometry, Zen 5). Packed from
// the image, both threads only read the input, and each value lands where the register tile
// reads it; the panels hold the same values as packing im2col(x), so C has the same bits.
#include <algorithm>
#include <cstddef>

#include "gan/kernels/im2col.hpp"

GAN_NAMESPACE_BEGIN
namespace kernels::cpu_detail {

// B = im2col(x) for one sample x [C][H][W] of the geometry g: C·K·K rows ordered (c, kh, kw),
// one column per output pixel.
template <class T>
struct im2col_operand {
    ConvGeometry g;
    const T* x;
};

// Rows [p0, p0 + kb) and columns [j0, j0 + cols) of im2col(x) into ceil(cols / NR) panels, panel
// q at dst + q * kb * NR holding kb rows of NR values: what pack_b makes of the column matrix.
// A row of a panel is a few stretches of output rows, each the input row of its tap read at the
// stride, with zeros where the tap meets padding.
template <std::size_t NR, class T>
void pack_b(const im2col_operand<T>& b, std::size_t p0, std::size_t kb, std::size_t j0, std::size_t cols, T* dst) {
    const ConvGeometry& g = b.g;
    if (detail::is_k4s2p1(g) && NR % g.out_width == 0 && p0 % 4 == 0 && kb % 4 == 0 && j0 % g.out_width == 0 &&
        cols % g.out_width == 0) {
        // Every strided layer of pix2pix: whole output rows in each panel, and the four taps kw of
        // a kernel row (four consecutive rows of B) read the same input row, split once into its
        // even and odd columns by im2col's own row routine.
        const std::size_t ow = g.out_width;
        for (std::size_t p = 0; p < kb; p += 4) {
            const std::size_t row = p0 + p, c = row / 16, kh = row % 16 / 4;
            const T* plane = b.x + c * g.height * g.width;
            for (std::size_t j = j0; j < j0 + cols; j += ow) {
                T* r0 = dst + (j - j0) / NR * kb * NR + p * NR + (j - j0) % NR;
                const std::size_t ih = 2 * (j / ow) + kh;  // + 1, as in im2col
                if (ih < 1 || ih > g.height)
                    for (std::size_t kw = 0; kw < 4; ++kw) std::fill(r0 + kw * NR, r0 + kw * NR + ow, T(0));
                else
                    detail::im2col_k4s2p1_row(plane + (ih - 1) * g.width, ow, r0, r0 + NR, r0 + 2 * NR, r0 + 3 * NR);
            }
            if (cols % NR != 0)
                for (std::size_t kw = 0; kw < 4; ++kw) {
                    T* last = dst + cols / NR * kb * NR + (p + kw) * NR;
                    std::fill(last + cols % NR, last + NR, T(0));
                }
        }
        return;
    }
    const std::size_t taps = g.kernel * g.kernel, end = j0 + cols;
    for (std::size_t p = 0; p < kb; ++p) {
        const std::size_t row = p0 + p, c = row / taps, kh = row % taps / g.kernel, kw = row % g.kernel;
        const auto rows = detail::tap_range(kh, g.stride, g.padding, g.height, g.out_height);
        const auto columns = detail::tap_range(kw, g.stride, g.padding, g.width, g.out_width);
        const T* plane = b.x + c * g.height * g.width;
        T* panel = dst + p * NR;  // this row of panel 0
        for (std::size_t j = j0; j < end;) {
            // One stretch: within an output row and within a panel.
            const std::size_t oh = j / g.out_width, ow = j % g.out_width, offset = (j - j0) % NR;
            const std::size_t n = std::min({end - j, g.out_width - ow, NR - offset});
            T* out = panel + (j - j0) / NR * kb * NR + offset;
            if (oh < rows.begin || oh >= rows.end) {
                std::fill(out, out + n, T(0));
            } else {
                // Unsigned and in range: oh·S + kh ≥ P here, and ow·S + kw ≥ P from `inside` on.
                const T* in = plane + (oh * g.stride + kh - g.padding) * g.width;
                const std::size_t inside = std::clamp(columns.begin, ow, ow + n);
                const std::size_t outside = std::clamp(columns.end, inside, ow + n);
                std::fill(out, out + (inside - ow), T(0));
                if (inside < outside)
                    detail::gather_strided(in + inside * g.stride + kw - g.padding, g.stride, out + (inside - ow),
                                           outside - inside);
                std::fill(out + (outside - ow), out + n, T(0));
            }
            j += n;
        }
        if (cols % NR != 0) {
            T* last = panel + cols / NR * kb * NR;
            std::fill(last + cols % NR, last + NR, T(0));
        }
    }
}

}  // namespace kernels::cpu_detail
GAN_NAMESPACE_END

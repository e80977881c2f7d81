#pragma once
// A convolution's weights without the kernel taps that can only meet padding
// (kernels::without_dead_taps), gathered into a copy.
//
// On the 2×2 → 1×1 innermost layers of a U-Net, 12 of every 16 weights multiply zeros: the layer
// reads 16 MiB from memory to use 4. The passes that can skip them read the copy instead,
// gathered once per change of the weights (Parameter::version()): Conv2d keeps it
// (detail::PackedWeight<std::vector<T>>) for both forward passes, ConvTranspose2d gathers it only
// to pack its const pass's weights. In inference that is once; a training step changes the
// weights every time and so gathers every time, a read of the full weights that the product
// over them would have made anyway.
#include <algorithm>
#include <cstddef>
#include <vector>

#include <tbb/task_arena.h>

#include "gan/core/backend.hpp"
#include "gan/kernels/im2col.hpp"
#include "gan/kernels/parallel.hpp"

GAN_NAMESPACE_BEGIN
namespace detail {

// The weights w (`size` values, [planes][K][K] with K = full.kernel) cut to the taps that
// `live` = kernels::without_dead_taps(full) keeps: out [planes][K′][K′], tap (first + i, first + j)
// at (i, j), first = full.padding − live.padding.
template <Scalar T>
void gather_live_taps(const T* w, std::size_t size, const kernels::ConvGeometry& full, const kernels::ConvGeometry& live,
                      std::vector<T>& out) {
    const std::size_t kernel = full.kernel, kept = live.kernel, first = full.padding - live.padding;
    const std::size_t planes = size / (kernel * kernel);
    out.resize(planes * kept * kept);
    // In blocks of 256 KiB of w, in parallel: a training step gathers 16 MiB per such layer, and
    // one core reads from memory at about half the rate of two. Isolated: the caller may hold a
    // lock (PackedWeight::get) that a stolen task of its own would wait for.
    tbb::this_task_arena::isolate([&] {
        kernels::detail::parallel_blocks(planes, 4096, [&](std::size_t p0, std::size_t p1) {
            for (std::size_t p = p0; p < p1; ++p)
                for (std::size_t i = 0; i < kept; ++i) {
                    const T* row = w + (p * kernel + first + i) * kernel + first;
                    std::copy(row, row + kept, out.data() + (p * kept + i) * kept);
                }
        });
    });
}

}  // namespace detail
GAN_NAMESPACE_END

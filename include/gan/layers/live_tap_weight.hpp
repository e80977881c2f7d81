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

#include "gan/core/backend.hpp"

GAN_NAMESPACE_BEGIN
namespace detail {

// w [planes][kernel][kernel] cut to out [planes][live][live], tap (first + i, first + j) at (i, j).
template <Scalar T>
void gather_live_taps(const T* w, std::size_t planes, std::size_t kernel, std::size_t first, std::size_t live,
                      std::vector<T>& out) {
    out.resize(planes * live * live);
    for (std::size_t p = 0; p < planes; ++p)
        for (std::size_t i = 0; i < live; ++i) {
            const T* row = w + (p * kernel + first + i) * kernel + first;
            std::copy(row, row + live, out.data() + (p * live + i) * live);
        }
}

}  // namespace detail
GAN_NAMESPACE_END

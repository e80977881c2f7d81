#pragma once
// Elementwise and per-channel kernels shared by the layers: bias, channel sums, copies, products,
// dropout masks.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "gan/core/backend.hpp"
#include "gan/core/random.hpp"
#include "gan/kernels/parallel.hpp"
#include "gan/kernels/simd.hpp"

GAN_SIMD_KERNELS_BEGIN
GAN_NAMESPACE_BEGIN
namespace kernels {

// plane[·] += bias over one channel's n values, on the calling thread (a channel epilogue).
template <Scalar T>
void add_plane_bias(cpu, T* plane, T bias, std::size_t n) {
    const simd::vec<T> b(bias);
    simd::for_each_vector<T>(n, [&](std::size_t i, std::size_t lanes) {
        simd::store_partial(plane + i, simd::load_partial(plane + i, lanes) + b, lanes);
    });
}

// y[n][c][·] += bias[c] for an NCHW batch.
template <Scalar T>
void add_channel_bias(cpu, T* y, const T* bias, std::size_t batch, std::size_t channels, std::size_t plane) {
    detail::parallel_items(batch * channels,
                           [&](std::size_t nc) { add_plane_bias(cpu{}, y + nc * plane, bias[nc % channels], plane); });
}

// sums[c] += Σ_n Σ_hw x[n][c][h][w], summed in a fixed order (samples in order, see
// simd::Accumulator) so the result does not depend on threads.
template <Scalar T>
void accumulate_channel_sums(cpu, const T* x, std::size_t batch, std::size_t channels, std::size_t plane, T* sums) {
    detail::parallel_items(channels, [&](std::size_t c) {
        simd::Accumulator<T> sum;
        for (std::size_t n = 0; n < batch; ++n) {
            const T* p = x + (n * channels + c) * plane;
            simd::for_each_vector<T>(plane, [&](std::size_t i, std::size_t lanes) { sum.add(simd::load_partial(p + i, lanes)); });
        }
        sums[c] += T(sum.total());
    });
}

// dst = src over n values, in parallel blocks: a layer's copy of a tensor of a few MiB (a
// concatenation, its gradient's split) took a memcpy on one core, at about half the memory rate
// of two.
template <Scalar T>
void copy(cpu, const T* src, T* dst, std::size_t n) {
    detail::parallel_blocks(n, detail::elementwise_block, [&](std::size_t begin, std::size_t end) {
        std::memcpy(dst + begin, src + begin, (end - begin) * sizeof(T));
    });
}

// z = x · y elementwise; z may equal x or y.
template <Scalar T>
void multiply(cpu, const T* x, const T* y, T* z, std::size_t n) {
    detail::parallel_blocks(n, detail::elementwise_block, [&](std::size_t begin, std::size_t end) {
        simd::for_each_vector<T>(end - begin, [&](std::size_t i, std::size_t lanes) {
            const std::size_t k = begin + i;
            simd::store_partial(z + k, simd::load_partial(x + k, lanes) * simd::load_partial(y + k, lanes), lanes);
        });
    });
}

// y += alpha · x.
template <Scalar T>
void axpy(cpu, T alpha, const T* x, T* y, std::size_t n) {
    detail::parallel_blocks(n, detail::elementwise_block, [&](std::size_t begin, std::size_t end) {
        simd::for_each_vector<T>(end - begin, [&](std::size_t i, std::size_t lanes) {
            const std::size_t k = begin + i;
            simd::store_partial(y + k, simd::fma(simd::vec<T>(alpha), simd::load_partial(x + k, lanes), simd::load_partial(y + k, lanes)), lanes);
        });
    });
}

// Inverted-dropout mask: mask[i] = 0 with probability p, else 1 / (1 − p). Element i draws from
// Philox block first_block + i / 2 of the seed's stream, so the mask is a pure function of
// (seed, first_block) whatever the thread count, and any stretch of it can be drawn on its own:
// mask[begin, end) into out[0, end − begin).
template <Scalar T>
void dropout_mask_stretch(const Random& stream, std::uint64_t first_block, double p, std::size_t begin,
                          std::size_t end, T* out) {
    const T keep = T(1.0 / (1.0 - p));
    for (std::size_t i = begin; i < end; ++i) {
        const auto b = stream.block_at(first_block + i / 2);
        const double u = i % 2 == 0 ? Random::uniform_from(b[0], b[1]) : Random::uniform_from(b[2], b[3]);
        out[i - begin] = u < p ? T(0) : keep;
    }
}

template <Scalar T>
void dropout_mask(cpu, std::uint64_t seed, std::uint64_t first_block, double p, T* mask, std::size_t n) {
    const Random stream(seed);
    detail::parallel_blocks(n, detail::elementwise_block, [&](std::size_t begin, std::size_t end) {
        dropout_mask_stretch(stream, first_block, p, begin, end, mask + begin);
    });
}

}  // namespace kernels
GAN_NAMESPACE_END
GAN_SIMD_KERNELS_END

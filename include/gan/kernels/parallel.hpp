#pragma once
// How the CPU kernels split work over oneTBB threads without making results depend on the split.
//
// Work is cut into blocks whose boundaries depend only on the problem size (never on the number
// of threads), and every reduction happens inside one block in a fixed order, or across blocks
// in block order after the parallel part. So any thread count gives bit-identical results.
#include <cstddef>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include "gan/version.hpp"

GAN_NAMESPACE_BEGIN
namespace kernels::detail {

// Calls f(i) for i in [0, count), independent items in parallel.
template <class F>
void parallel_items(std::size_t count, F&& f) {
    if (count == 1) return f(std::size_t(0));
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, count), [&](const tbb::blocked_range<std::size_t>& r) {
        for (std::size_t i = r.begin(); i != r.end(); ++i) f(i);
    });
}

// Calls f(begin, end) over [0, count) in blocks of block_size elements (the last may be shorter);
// block boundaries are multiples of block_size, whatever the thread count.
template <class F>
void parallel_blocks(std::size_t count, std::size_t block_size, F&& f) {
    const std::size_t blocks = (count + block_size - 1) / block_size;
    parallel_items(blocks, [&](std::size_t b) {
        const std::size_t begin = b * block_size;
        f(begin, begin + block_size < count ? begin + block_size : count);
    });
}

// Elements per block of the elementwise kernels: large enough to amortise scheduling, a multiple
// of every vector width.
inline constexpr std::size_t elementwise_block = 16384;

}  // namespace kernels::detail
GAN_NAMESPACE_END

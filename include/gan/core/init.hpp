#pragma once
// Filling tensors with seeded random values. Element i always takes its value from the same
// Philox block, so the result is identical on every machine and for any thread count.
#include <cstddef>

#include "gan/core/random.hpp"
#include "gan/core/tensor.hpp"

GAN_NAMESPACE_BEGIN

// Normal(mean, stddev) values into n elements of host memory; advances rng by ceil(n / 2) blocks.
template <Scalar T>
void fill_normal(T* data, std::size_t n, double mean, double stddev, Random& rng) {
    const std::uint64_t first = rng.reserve((n + 1) / 2);
    for (std::size_t i = 0; i < n; i += 2) {
        const auto z = Random::normals_from(rng.block_at(first + i / 2));
        data[i] = static_cast<T>(mean + stddev * z[0]);
        if (i + 1 < n) data[i + 1] = static_cast<T>(mean + stddev * z[1]);
    }
}

// Uniform values in (low, high) into n elements; advances rng by ceil(n / 2) blocks.
template <Scalar T>
void fill_uniform(T* data, std::size_t n, double low, double high, Random& rng) {
    const std::uint64_t first = rng.reserve((n + 1) / 2);
    for (std::size_t i = 0; i < n; i += 2) {
        const auto b = rng.block_at(first + i / 2);
        data[i] = static_cast<T>(low + (high - low) * Random::uniform_from(b[0], b[1]));
        if (i + 1 < n) data[i + 1] = static_cast<T>(low + (high - low) * Random::uniform_from(b[2], b[3]));
    }
}

template <Scalar T, class S, class B>
    requires B::host_accessible
void fill_normal(Tensor<T, S, B>& t, double mean, double stddev, Random& rng) {
    fill_normal(t.data(), t.size(), mean, stddev, rng);
}
template <Scalar T, class S, class B>
    requires B::host_accessible
void fill_uniform(Tensor<T, S, B>& t, double low, double high, Random& rng) {
    fill_uniform(t.data(), t.size(), low, high, rng);
}

GAN_NAMESPACE_END

#pragma once
// A training set of image pairs held in memory, already in the networks' range [−1, 1], and the
// order in which an epoch visits it.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

#include "gan/core/error.hpp"
#include "gan/core/random.hpp"
#include "gan/core/tensor.hpp"

GAN_NAMESPACE_BEGIN

// Images in 0..1 ↔ the networks' [−1, 1] (pix2pix's Normalize(0.5, 0.5) and its inverse).
template <Scalar T>
constexpr T to_network_range(T v) noexcept {
    return T(2) * v - T(1);
}
template <Scalar T>
constexpr T from_network_range(T v) noexcept {
    return (v + T(1)) / T(2);
}

template <class G>
struct PairedImages {
    using input_type = typename G::input_type;
    using output_type = typename G::output_type;
    input_type inputs;    // batch N, in [−1, 1]
    output_type targets;  // batch N, in [−1, 1]
    std::vector<std::string> names;

    std::size_t size() const noexcept { return inputs.batch(); }

    // Copies the samples at `indices` into batch tensors.
    void gather(const std::size_t* indices, std::size_t count, input_type& a, output_type& b) const {
        using B = typename G::backend;
        using T = typename G::scalar;
        a.resize(count);
        b.resize(count);
        for (std::size_t j = 0; j < count; ++j) {
            B::copy(a.data() + j * input_type::sample_size, inputs.data() + indices[j] * input_type::sample_size,
                    input_type::sample_size * sizeof(T));
            B::copy(b.data() + j * output_type::sample_size, targets.data() + indices[j] * output_type::sample_size,
                    output_type::sample_size * sizeof(T));
        }
    }
};

// The visiting order of epoch `epoch`: a Fisher–Yates shuffle drawn from its own stream, so
// resuming in the middle of an epoch recomputes exactly the order it was following.
inline std::vector<std::size_t> epoch_order(std::size_t count, std::uint64_t seed, std::int64_t epoch, bool shuffle = true) {
    std::vector<std::size_t> order(count);
    std::iota(order.begin(), order.end(), std::size_t(0));
    if (!shuffle) return order;
    Random rng(seed, std::uint64_t(epoch) << 40);
    for (std::size_t i = count; i > 1; --i) {
        const auto j = std::size_t(rng.uniform() * double(i));  // uniform in [0, i)
        std::swap(order[i - 1], order[std::min(j, i - 1)]);
    }
    return order;
}

GAN_NAMESPACE_END

#pragma once
// A convolution's weights without the kernel taps that can only meet padding
// (kernels::without_dead_taps), kept between passes.
//
// On the 2×2 → 1×1 innermost layers of a U-Net, 12 of every 16 weights multiply zeros: the layer
// reads 16 MiB from memory to use 4. The passes that can skip them read this copy instead,
// gathered once per change of the weights (Parameter::version()). In inference that is once;
// a training step changes the weights every time and so gathers every time, a read of the full
// weights that the product over them would have made anyway.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

#include "gan/core/backend.hpp"
#include "gan/layers/parameter.hpp"

GAN_NAMESPACE_BEGIN
namespace detail {

template <Scalar T>
class LiveTapWeight {
public:
    LiveTapWeight() = default;
    // A copy starts empty: it gathers from its own layer's weights on first use.
    LiveTapWeight(const LiveTapWeight&) noexcept {}
    LiveTapWeight& operator=(const LiveTapWeight&) noexcept {
        const std::lock_guard lock(mutex_);
        version_ = 0;
        return *this;
    }

    // The weights w [planes][kernel][kernel] cut to [planes][live][live], tap (first + i,
    // first + j) at (i, j). Safe to call from several threads of const passes at once; the
    // result stays valid until the weights change.
    template <Backend B>
    const T* get(const Parameter<T, B>& w, std::size_t kernel, std::size_t first, std::size_t live) const {
        const std::lock_guard lock(mutex_);
        if (version_ != w.version()) {
            version_ = 0;  // stays invalid if the allocation throws
            const std::size_t planes = w.size() / (kernel * kernel);
            live_.resize(planes * live * live);
            const T* from = w.value().data();
            for (std::size_t p = 0; p < planes; ++p)
                for (std::size_t i = 0; i < live; ++i) {
                    const T* row = from + (p * kernel + first + i) * kernel + first;
                    std::copy(row, row + live, live_.data() + (p * live + i) * live);
                }
            version_ = w.version();
        }
        return live_.data();
    }

private:
    mutable std::mutex mutex_;
    mutable std::vector<T> live_;
    mutable std::uint64_t version_ = 0;  // of the weights live_ holds; 0: none
};

}  // namespace detail
GAN_NAMESPACE_END

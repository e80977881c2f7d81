#pragma once
// A convolution's weight matrix kept packed for the GEMM (kernels::PackedA, kernels::StreamedA)
// between passes.
//
// Packing op(W) costs a full read and write of the weights, which for the deep layers of a U-Net
// (16–32 MiB of weights against a few columns of input) is as much memory traffic as the product
// itself. The const inference pass packs once per change of the weights, tracked by
// Parameter::version(), and then only reads. Training passes do not use it: there each weight is
// used about once per optimiser step, and packing the whole matrix measured slower than the
// GEMM's own cache-sized packing (docs/kernels.md).
#include <cstddef>
#include <cstdint>
#include <mutex>

#include "gan/kernels/gemm.hpp"

GAN_NAMESPACE_BEGIN
namespace detail {

// Packed: kernels::PackedA<T> (the blocked GEMM's panels), kernels::StreamedA<T> (the streaming
// kernel's blocks, for at most four columns), kernels::BFloat16A (rounded to bfloat16 for
// gan::Autocast) or std::vector<T> (the weights without their dead taps, live_tap_weight.hpp).
template <class Packed>
class PackedWeight {
public:
    PackedWeight() = default;
    // A copy starts empty: it packs from its own layer's weights on first use.
    PackedWeight(const PackedWeight&) noexcept {}
    PackedWeight& operator=(const PackedWeight&) noexcept {
        const std::lock_guard lock(mutex_);
        version_ = 0;
        return *this;
    }

    // The weights packed by pack(Packed&), which must read weights current at `version`
    // (Parameter::version(); a copy of them gathered for that version has it too). Safe to call
    // from several threads of const passes at once: the first repacks under the lock, the others
    // wait and then read. The result stays valid until the weights change.
    template <class Pack>
    const Packed& get(std::uint64_t version, const Pack& pack) const {
        const std::lock_guard lock(mutex_);
        if (version_ != version) {
            version_ = 0;  // stays invalid if packing throws
            pack(packed_);
            version_ = version;
        }
        return packed_;
    }

private:
    mutable std::mutex mutex_;
    mutable Packed packed_;
    mutable std::uint64_t version_ = 0;  // of the weights packed_ holds; 0: none
};

}  // namespace detail
GAN_NAMESPACE_END

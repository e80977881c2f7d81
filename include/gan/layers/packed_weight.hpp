#pragma once
// A convolution's weight matrix kept packed for the GEMM (kernels::PackedA) between passes.
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

#include "gan/core/backend.hpp"
#include "gan/kernels/gemm.hpp"
#include "gan/layers/parameter.hpp"

GAN_NAMESPACE_BEGIN
namespace detail {

template <Scalar T>
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

    // op(W) (m × k; op(W)(i, p) = w[i * lda + p], or w[p * lda + i] if transposed), packed.
    // Safe to call from several threads of const passes at once: the first repacks under the
    // lock, the others wait and then read. The result stays valid until the weights change.
    template <Backend B>
    const kernels::PackedA<T>& get(const Parameter<T, B>& w, std::size_t m, std::size_t k, kernels::Transpose transpose,
                                   std::size_t lda) const {
        return get(w.value().data(), w.version(), m, k, transpose, lda);
    }

    // The same from a copy of the weights that is current at `version` (LiveTapWeight's).
    const kernels::PackedA<T>& get(const T* w, std::uint64_t version, std::size_t m, std::size_t k,
                                   kernels::Transpose transpose, std::size_t lda) const {
        const std::lock_guard lock(mutex_);
        if (version_ != version) {
            version_ = 0;  // stays invalid if packing throws
            packed_.pack(m, k, transpose, w, lda);
            version_ = version;
        }
        return packed_;
    }

private:
    mutable std::mutex mutex_;
    mutable kernels::PackedA<T> packed_;
    mutable std::uint64_t version_ = 0;  // of the weights packed_ holds; 0: none
};

}  // namespace detail
GAN_NAMESPACE_END

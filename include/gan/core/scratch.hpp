#pragma once
// Scratch: per-call temporary memory for the const (inference) passes of layers and models.
//
// A pass takes buffers with take<T>(n) and the owner calls reset() before the next pass. Blocks
// are never moved or freed while the Scratch lives, so a pass that repeats the same requests
// gets the same memory back: no allocation (and no first-touch page faults) in the steady state.
// One Scratch per thread makes the const passes safe to run concurrently.
#include <cstddef>
#include <utility>
#include <vector>

#include "gan/core/backend.hpp"

GAN_NAMESPACE_BEGIN

template <Backend B = cpu>
class Scratch {
public:
    Scratch() = default;
    Scratch(const Scratch&) = delete;
    Scratch& operator=(const Scratch&) = delete;
    Scratch(Scratch&& other) noexcept
        : blocks_(std::move(other.blocks_)), block_(std::exchange(other.block_, 0)), used_(std::exchange(other.used_, 0)) {}
    ~Scratch() {
        for (const auto& b : blocks_) B::deallocate(b.data, b.bytes);
    }

    // `count` elements of T, aligned to tensor_alignment, valid until reset(); contents unspecified.
    template <class T>
    T* take(std::size_t count) {
        const std::size_t bytes = (count * sizeof(T) + tensor_alignment - 1) / tensor_alignment * tensor_alignment;
        while (block_ < blocks_.size()) {
            Block& b = blocks_[block_];
            if (b.bytes - used_ >= bytes) {
                void* p = static_cast<char*>(b.data) + used_;
                used_ += bytes;
                return static_cast<T*>(p);
            }
            ++block_;  // too small for this request: later passes keep skipping it the same way
            used_ = 0;
        }
        // Grow geometrically so that a first pass makes few blocks.
        const std::size_t size = std::max(bytes, blocks_.empty() ? std::size_t(1) << 20 : 2 * blocks_.back().bytes);
        blocks_.push_back({B::allocate(size), size});
        block_ = blocks_.size() - 1;
        used_ = bytes;
        return static_cast<T*>(blocks_.back().data);
    }

    // Makes all memory available again for the next pass.
    void reset() noexcept {
        block_ = 0;
        used_ = 0;
    }

    std::size_t capacity_bytes() const noexcept {
        std::size_t total = 0;
        for (const auto& b : blocks_) total += b.bytes;
        return total;
    }

private:
    struct Block {
        void* data;
        std::size_t bytes;
    };
    std::vector<Block> blocks_;
    std::size_t block_ = 0, used_ = 0;
};

GAN_NAMESPACE_END

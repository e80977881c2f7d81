#pragma once
// Grow-only aligned scratch memory for the CPU kernels. Kernels ask for what they need on every
// call and get the same pages back once the largest request has been seen, so a training loop does
// no allocation (and pays no first-touch page faults) in its steady state.
#include <cstddef>
#include <new>
#include <utility>

#include "gan/core/backend.hpp"

GAN_NAMESPACE_BEGIN
namespace kernels {

class Workspace {
public:
    Workspace() = default;
    Workspace(const Workspace&) = delete;
    Workspace& operator=(const Workspace&) = delete;
    Workspace(Workspace&& other) noexcept
        : data_(std::exchange(other.data_, nullptr)), bytes_(std::exchange(other.bytes_, 0)) {}
    Workspace& operator=(Workspace&& other) noexcept {
        std::swap(data_, other.data_);
        std::swap(bytes_, other.bytes_);
        return *this;
    }
    ~Workspace() { cpu::deallocate(data_, bytes_); }

    // At least `count` elements of T, aligned to tensor_alignment. The contents are unspecified and
    // earlier pointers are invalidated when the workspace has to grow.
    template <class T>
    T* get(std::size_t count) {
        const std::size_t bytes = count * sizeof(T);
        if (bytes > bytes_) {
            void* grown = cpu::allocate(bytes);
            cpu::deallocate(data_, bytes_);
            data_ = grown;
            bytes_ = bytes;
        }
        return static_cast<T*>(data_);
    }

    std::size_t capacity_bytes() const { return bytes_; }

private:
    void* data_ = nullptr;
    std::size_t bytes_ = 0;
};

}  // namespace kernels
GAN_NAMESPACE_END

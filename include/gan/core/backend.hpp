#pragma once
// Backend policies: where a tensor's storage lives and which kernels run on it.
//
// A backend is a tag type passed as a template parameter (Tensor<float, S, gan::cpu>,
// UNet<..., gan::cpu>). It provides storage management as static functions; kernels are free
// functions in namespace gan::kernels that take the backend tag as their first argument, so a
// new backend adds overloads in its own headers (kernels/cuda/...) and no layer code changes.
// The CPU policy is the default everywhere. A CUDA policy will live in gan/backends/cuda.hpp,
// compiled only by nvcc, with host_accessible = false.
#include <concepts>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <new>

#include "gan/version.hpp"

GAN_NAMESPACE_BEGIN

// 64 bytes: one AVX-512 register and one cache line, so vector loads never split a line.
inline constexpr std::size_t tensor_alignment = 64;

// What every backend must offer. Storage is untyped bytes; tensors build typed views on top.
template <class B>
concept Backend = requires(std::size_t bytes, void* p, const void* cp) {
    { B::name } -> std::convertible_to<const char*>;
    { B::host_accessible } -> std::convertible_to<bool>;
    { B::allocate(bytes) } -> std::same_as<void*>;
    B::deallocate(p, bytes);
    B::copy_to_host(p, cp, bytes);
    B::copy_from_host(p, cp, bytes);
    B::copy(p, cp, bytes);
    B::zero(p, bytes);
};

// The CPU backend: host memory aligned to tensor_alignment; kernels use xsimd and oneTBB.
struct cpu {
    static constexpr const char* name = "cpu";
    // Elements can be read and written directly through pointers on the host.
    static constexpr bool host_accessible = true;

    static void* allocate(std::size_t bytes) {
        if (bytes == 0) return nullptr;
        // aligned operator new needs a size that is a multiple of the alignment for some
        // allocators; round up so the whole last vector is addressable.
        const std::size_t rounded = (bytes + tensor_alignment - 1) / tensor_alignment * tensor_alignment;
        return ::operator new(rounded, std::align_val_t{tensor_alignment});
    }
    static void deallocate(void* p, std::size_t /*bytes*/) noexcept {
        if (p) ::operator delete(p, std::align_val_t{tensor_alignment});
    }
    static void copy_to_host(void* host_dst, const void* src, std::size_t bytes) { copy(host_dst, src, bytes); }
    static void copy_from_host(void* dst, const void* host_src, std::size_t bytes) { copy(dst, host_src, bytes); }
    static void copy(void* dst, const void* src, std::size_t bytes) {
        if (bytes) std::memcpy(dst, src, bytes);
    }
    static void zero(void* p, std::size_t bytes) {
        if (bytes) std::memset(p, 0, bytes);
    }
};
static_assert(Backend<cpu>);

GAN_NAMESPACE_END

#pragma once
// The CUDA backend policy: tensor storage in GPU memory.
//
// Include this header only in code built against the CUDA runtime (CMake target gan::cuda);
// nothing in gan/gan.hpp includes it, so CPU-only builds never need CUDA. It provides storage
// only: element access on the host does not compile for Tensor<..., gan::cuda> (copy to a CPU
// tensor with copy_to_host first), and each kernel gains a gan::cuda overload in kernels/cuda/
// as the CUDA backend grows. Layers and models are templates over the backend and do not change.
#include <cuda_runtime_api.h>

#include <cstddef>
#include <string>

#include "gan/core/backend.hpp"
#include "gan/core/error.hpp"

GAN_NAMESPACE_BEGIN

struct cuda {
    static constexpr const char* name = "cuda";
    static constexpr bool host_accessible = false;

    // Whether a usable device and driver are present; tests and tools skip CUDA work otherwise.
    static bool available() noexcept {
        int count = 0;
        return cudaGetDeviceCount(&count) == cudaSuccess && count > 0;
    }

    static void* allocate(std::size_t bytes) {
        if (bytes == 0) return nullptr;
        void* p = nullptr;
        check(cudaMalloc(&p, bytes), "cudaMalloc of " + std::to_string(bytes) + " bytes");
        return p;  // cudaMalloc aligns to at least 256 bytes, more than tensor_alignment
    }
    static void deallocate(void* p, std::size_t /*bytes*/) noexcept {
        if (p) cudaFree(p);
    }
    static void copy_to_host(void* host_dst, const void* src, std::size_t bytes) {
        if (bytes) check(cudaMemcpy(host_dst, src, bytes, cudaMemcpyDeviceToHost), "copy from the GPU");
    }
    static void copy_from_host(void* dst, const void* host_src, std::size_t bytes) {
        if (bytes) check(cudaMemcpy(dst, host_src, bytes, cudaMemcpyHostToDevice), "copy to the GPU");
    }
    static void copy(void* dst, const void* src, std::size_t bytes) {
        if (bytes) check(cudaMemcpy(dst, src, bytes, cudaMemcpyDeviceToDevice), "copy on the GPU");
    }
    static void zero(void* p, std::size_t bytes) {
        if (bytes) check(cudaMemset(p, 0, bytes), "cudaMemset");
    }

private:
    static void check(cudaError_t status, const std::string& what) {
        if (status != cudaSuccess)
            throw error("gan::cuda: " + what + " failed: " + cudaGetErrorString(status) +
                        " (is a GPU present and the driver loaded? run nvidia-smi)");
    }
};
static_assert(Backend<cuda>);

GAN_NAMESPACE_END

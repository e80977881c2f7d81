// Element access on a tensor whose backend keeps storage off the host (as CUDA will) must not
// compile: the data has to be copied to a CPU tensor first.
// expected-error: (constraints not satisfied|no match for call to).*Tensor<float, gan::v0_1::Shape<1, 4, 4>, fake_device>
#include <gan/core/tensor.hpp>

#include <cstdlib>

// A stand-in for a device backend: host memory, but declared not host-accessible.
struct fake_device {
    static constexpr const char* name = "fake_device";
    static constexpr bool host_accessible = false;
    static void* allocate(std::size_t bytes) { return gan::cpu::allocate(bytes); }
    static void deallocate(void* p, std::size_t bytes) noexcept { gan::cpu::deallocate(p, bytes); }
    static void copy_to_host(void* d, const void* s, std::size_t n) { gan::cpu::copy(d, s, n); }
    static void copy_from_host(void* d, const void* s, std::size_t n) { gan::cpu::copy(d, s, n); }
    static void copy(void* d, const void* s, std::size_t n) { gan::cpu::copy(d, s, n); }
    static void zero(void* p, std::size_t n) { gan::cpu::zero(p, n); }
};

float read_first() {
#ifdef GAN_SHOULD_FAIL_TO_BUILD
    gan::Tensor<float, gan::Shape<1, 4, 4>, fake_device> t(1);
    return t(0, 0, 0, 0);
#else
    gan::Tensor<float, gan::Shape<1, 4, 4>, gan::cpu> t(1);
    return t(0, 0, 0, 0);
#endif
}

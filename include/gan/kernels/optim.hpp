#pragma once
// The optimisers' update kernels, elementwise over one parameter, in PyTorch's operation order.
#include <cstddef>

#include "gan/core/backend.hpp"
#include "gan/kernels/parallel.hpp"
#include "gan/kernels/simd.hpp"

GAN_SIMD_KERNELS_BEGIN
GAN_NAMESPACE_BEGIN
namespace kernels {

// Scalars of one Adam step, computed once per step in double as PyTorch does in Python.
struct AdamStep {
    double lr, beta1, beta2, eps, weight_decay;
    double step_size;             // lr / (1 − beta1^t)
    double bias_correction2_sqrt; // sqrt(1 − beta2^t)
};

// g = grad + wd·p;  m = β1·m + (1 − β1)·g;  v = β2·v + (1 − β2)·g²;
// p −= step_size · m / (sqrt(v) / sqrt(1 − β2^t) + eps)
template <Scalar T>
void adam_update(cpu, const AdamStep& s, T* param, const T* grad, T* exp_avg, T* exp_avg_sq, std::size_t n) {
    using V = simd::vec<T>;
    const V b1(T(s.beta1)), c1(T(1 - s.beta1)), b2(T(s.beta2)), c2(T(1 - s.beta2)), wd(T(s.weight_decay));
    const V bc2(T(s.bias_correction2_sqrt)), eps(T(s.eps)), step(T(s.step_size));
    const bool decay = s.weight_decay != 0;
    detail::parallel_blocks(n, detail::elementwise_block, [&](std::size_t begin, std::size_t end) {
        simd::for_each_vector<T>(end - begin, [&](std::size_t i, std::size_t lanes) {
            const std::size_t k = begin + i;
            const V p = simd::load_partial(param + k, lanes);
            V g = simd::load_partial(grad + k, lanes);
            if (decay) g = g + wd * p;
            const V m = simd::load_partial(exp_avg + k, lanes) * b1 + g * c1;
            const V v = simd::load_partial(exp_avg_sq + k, lanes) * b2 + g * g * c2;
            simd::store_partial(exp_avg + k, m, lanes);
            simd::store_partial(exp_avg_sq + k, v, lanes);
            simd::store_partial(param + k, p - step * (m / (simd::sqrt(v) / bc2 + eps)), lanes);
        });
    });
}

struct SgdStep {
    double lr, momentum, dampening, weight_decay;
    bool nesterov;
    bool first;  // the momentum buffer starts as the first gradient, as in PyTorch
};

// d = grad + wd·p; buf = first ? d : μ·buf + (1 − dampening)·d; d = nesterov ? d + μ·buf : buf;
// p −= lr·d. Without momentum, buf is not touched (and may be null).
template <Scalar T>
void sgd_update(cpu, const SgdStep& s, T* param, const T* grad, T* buf, std::size_t n) {
    using V = simd::vec<T>;
    const V lr(T(s.lr)), mu(T(s.momentum)), damp(T(1 - s.dampening)), wd(T(s.weight_decay));
    detail::parallel_blocks(n, detail::elementwise_block, [&](std::size_t begin, std::size_t end) {
        simd::for_each_vector<T>(end - begin, [&](std::size_t i, std::size_t lanes) {
            const std::size_t k = begin + i;
            const V p = simd::load_partial(param + k, lanes);
            V d = simd::load_partial(grad + k, lanes);
            if (s.weight_decay != 0) d = d + wd * p;
            if (s.momentum != 0) {
                const V b = s.first ? d : simd::load_partial(buf + k, lanes) * mu + d * damp;
                simd::store_partial(buf + k, b, lanes);
                d = s.nesterov ? d + mu * b : b;
            }
            simd::store_partial(param + k, p - lr * d, lanes);
        });
    });
}

}  // namespace kernels
GAN_NAMESPACE_END
GAN_SIMD_KERNELS_END

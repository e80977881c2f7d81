#pragma once
// Mean losses over all elements with their gradients, in one pass.
//
// The sum runs in one thread, vector by vector in index order, each vector's lanes summed and
// added in double: the loss maps are small next to the networks (a 30×30 patch map, a 256×256
// image), and a single fixed order keeps the value bit-identical for any thread count.
#include <cmath>
#include <cstddef>
#include <utility>

#include "gan/core/backend.hpp"
#include "gan/kernels/simd.hpp"

GAN_SIMD_KERNELS_BEGIN
GAN_NAMESPACE_BEGIN
namespace kernels {

// term(x, t) returns {loss, dloss/dx} of one vector of elements.
template <Scalar T, class Term>
double mean_loss(cpu, const T* x, const T* target, T target_value, T* grad, std::size_t n, const Term& term) {
    using V = simd::vec<T>;
    double total = 0;
    const V inv_n(T(1) / T(n));
    simd::for_each_vector<T>(n, [&](std::size_t i, std::size_t lanes) {
        const V xv = simd::load_partial(x + i, lanes);
        const V tv = target ? simd::load_partial(target + i, lanes) : V(target_value);
        const auto [loss, dloss] = term(xv, tv);
        simd::store_partial(grad + i, dloss * inv_n, lanes);
        if (lanes == simd::width<T>) {
            total += double(simd::sum(loss));
        } else {
            alignas(64) T values[simd::width<T>];
            simd::store(values, loss);
            T partial = 0;
            for (std::size_t k = 0; k < lanes; ++k) partial += values[k];
            total += double(partial);
        }
    });
    return total / double(n);
}

template <Scalar T>
struct bce_with_logits_term {
    // max(x, 0) − x·t + log(1 + e^−|x|), and σ(x) − t with σ from the same e^−|x| (no overflow).
    template <class V>
    auto operator()(const V& x, const V& t) const {
        const V zero(T(0)), one(T(1));
        const V e = simd::exp(-simd::abs(x));
        const V loss = simd::select(x > zero, x, zero) - x * t + simd::log1p(e);
        const V sigmoid = simd::select(x >= zero, one / (one + e), e / (one + e));
        return std::pair<V, V>{loss, sigmoid - t};
    }
};

template <Scalar T>
struct mse_term {
    template <class V>
    auto operator()(const V& x, const V& t) const {
        const V d = x - t;
        return std::pair<V, V>{d * d, V(T(2)) * d};
    }
};

template <Scalar T>
struct l1_term {
    // The derivative of |d| is taken as 0 at d = 0, as PyTorch's sign().
    template <class V>
    auto operator()(const V& x, const V& t) const {
        const V d = x - t, zero(T(0)), one(T(1));
        const V sign = simd::select(d > zero, one, simd::select(d < zero, -one, zero));
        return std::pair<V, V>{simd::abs(d), sign};
    }
};

}  // namespace kernels
GAN_NAMESPACE_END
GAN_SIMD_KERNELS_END

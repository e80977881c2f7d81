#pragma once
// The optimisers' update kernels, elementwise over one parameter, in PyTorch's operation order.
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "gan/core/backend.hpp"
#include "gan/core/bfloat16.hpp"
#include "gan/kernels/parallel.hpp"
#include "gan/kernels/simd.hpp"

#if !defined(GAN_KERNELS_NO_SIMD) && (defined(__AVX2__) || defined(__AVX512F__))
#include <immintrin.h>
#endif

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
class AdamVectorStep {
public:
    using V = simd::vec<T>;
    explicit AdamVectorStep(const AdamStep& s)
        : b1_(T(s.beta1)), c1_(T(1 - s.beta1)), b2_(T(s.beta2)), c2_(T(1 - s.beta2)), wd_(T(s.weight_decay)),
          bc2_(T(s.bias_correction2_sqrt)), eps_(T(s.eps)), step_(T(s.step_size)), decay_(s.weight_decay != 0) {}
    // Updates the moments m and v in place and returns the new parameter.
    V operator()(const V& p, V g, V& m, V& v) const {
        if (decay_) g = g + wd_ * p;
        m = m * b1_ + g * c1_;
        v = v * b2_ + g * g * c2_;
        return p - step_ * (m / (simd::sqrt(v) / bc2_ + eps_));
    }

private:
    V b1_, c1_, b2_, c2_, wd_, bc2_, eps_, step_;
    bool decay_;
};

namespace detail {
// Elements [first, first + count) of a parameter on the calling thread, from `grad`, the
// gradient of those elements alone: vector by vector, each element through the same operations
// whatever the slice, so any partition gives the same bits.
template <Scalar T>
void adam_span(const AdamVectorStep<T>& adam, T* param, const T* grad, T* exp_avg, T* exp_avg_sq, std::size_t first,
               std::size_t count) {
    simd::for_each_vector<T>(count, [&](std::size_t i, std::size_t lanes) {
        const std::size_t k = first + i;
        auto m = simd::load_partial(exp_avg + k, lanes), v = simd::load_partial(exp_avg_sq + k, lanes);
        const auto p = adam(simd::load_partial(param + k, lanes), simd::load_partial(grad + i, lanes), m, v);
        simd::store_partial(exp_avg + k, m, lanes);
        simd::store_partial(exp_avg_sq + k, v, lanes);
        simd::store_partial(param + k, p, lanes);
    });
}
}  // namespace detail

template <Scalar T>
void adam_update(cpu, const AdamStep& s, T* param, const T* grad, T* exp_avg, T* exp_avg_sq, std::size_t n) {
    const AdamVectorStep<T> adam(s);
    detail::parallel_blocks(n, detail::elementwise_block, [&](std::size_t begin, std::size_t end) {
        detail::adam_span(adam, param, grad + begin, exp_avg, exp_avg_sq, begin, end - begin);
    });
}

// Elements [first, first + count) of a parameter, on the calling thread, from `grad`, their
// gradient alone: for a kernel that completes a gradient slice by slice in its own tasks (the
// weight gradient of a deep layer, row panel by row panel; see Adam::step_in_backward). The same
// bits as adam_update over the whole parameter.
template <Scalar T>
void adam_update_slice(cpu, const AdamStep& s, T* param, const T* grad, T* exp_avg, T* exp_avg_sq, std::size_t first,
                       std::size_t count) {
    detail::adam_span(AdamVectorStep<T>(s), param, grad, exp_avg, exp_avg_sq, first, count);
}

namespace detail {
// Adam's bfloat16 moments, one vector at a time: widened to T on load, stochastically rounded
// on store with element k's random bits mix32(k ^ key), the low half for m and the high half for
// v. The scalar lane loop is the definition; the float vector path computes the same bits.
template <Scalar T>
struct Bfloat16Moments {
    bfloat16* m;
    bfloat16* v;
    std::uint32_t key;

    void load(std::size_t k, std::size_t lanes, simd::vec<T>& m_out, simd::vec<T>& v_out) const noexcept {
#ifndef GAN_KERNELS_NO_SIMD
        if constexpr (std::is_same_v<T, float>)
            if (lanes == simd::width<T>) {
                m_out = widen(m + k);
                v_out = widen(v + k);
                return;
            }
#endif
        alignas(64) T ms[simd::width<T>] = {}, vs[simd::width<T>] = {};
        for (std::size_t l = 0; l < lanes; ++l) {
            ms[l] = T(m[k + l].to_float());
            vs[l] = T(v[k + l].to_float());
        }
        m_out = simd::load(ms);
        v_out = simd::load(vs);
    }

    void store(std::size_t k, std::size_t lanes, const simd::vec<T>& m_in, const simd::vec<T>& v_in) const noexcept {
#ifndef GAN_KERNELS_NO_SIMD
        if constexpr (std::is_same_v<T, float>)
            if (lanes == simd::width<T>) {
                const auto r = hash(k);
                round(m + k, m_in, r & 0xFFFFu);
                round(v + k, v_in, r >> 16);
                return;
            }
#endif
        alignas(64) T ms[simd::width<T>], vs[simd::width<T>];
        simd::store(ms, m_in);
        simd::store(vs, v_in);
        for (std::size_t l = 0; l < lanes; ++l) {
            const std::uint32_t r = mix32(std::uint32_t(k + l) ^ key);
            m[k + l] = bfloat16::stochastic(float(ms[l]), r);
            v[k + l] = bfloat16::stochastic(float(vs[l]), r >> 16);
        }
    }

#ifndef GAN_KERNELS_NO_SIMD
    using Bits = xsimd::batch<std::uint32_t>;
    static_assert(Bits::size == simd::width<float>);

    // 16-bit lanes to and from 32-bit ones: one instruction each way where the ISA has it
    // (xsimd 8's converting load and store go element by element, which made the whole update
    // 1.6x slower than with float moments).
    static Bits load_halves(const bfloat16* p) noexcept {
#if defined(__AVX512F__)
        static_assert(Bits::size == 16);
        return _mm512_cvtepu16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
#elif defined(__AVX2__)
        static_assert(Bits::size == 8);
        return _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
#else
        return Bits::load_unaligned(reinterpret_cast<const std::uint16_t*>(p));
#endif
    }
    // Each lane < 2^16.
    static void store_halves(bfloat16* p, const Bits& b) noexcept {
#if defined(__AVX512F__)
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), _mm512_cvtepi32_epi16(b));
#elif defined(__AVX2__)
        const __m256i v = b;
        _mm_storeu_si128(reinterpret_cast<__m128i*>(p),
                         _mm_packus_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1)));
#else
        b.store_unaligned(reinterpret_cast<std::uint16_t*>(p));
#endif
    }
    static simd::vec<float> widen(const bfloat16* p) noexcept {
        return xsimd::bitwise_cast<simd::vec<float>>(load_halves(p) << 16);
    }
    Bits hash(std::size_t k) const noexcept {
        Bits x = (Bits(std::uint32_t(k)) + lane_index()) ^ Bits(key);
        x ^= x >> 16;
        x *= Bits(0x85EBCA6Bu);
        x ^= x >> 13;
        x *= Bits(0xC2B2AE35u);
        return x ^ (x >> 16);
    }
    static Bits lane_index() noexcept {
        alignas(64) std::uint32_t index[Bits::size];
        for (std::size_t l = 0; l < Bits::size; ++l) index[l] = std::uint32_t(l);
        return Bits::load_aligned(index);
    }
    // bfloat16::stochastic, lane by lane.
    static void round(bfloat16* p, const simd::vec<float>& x, const Bits& random16) noexcept {
        const Bits u = xsimd::bitwise_cast<Bits>(x);
        const auto as_float = [](const Bits& b) { return xsimd::bitwise_cast<simd::vec<float>>(b); };
        const Bits rounded = xsimd::bitwise_cast<Bits>(
            xsimd::select(x != x, as_float((u >> 16) | Bits(0x0040u)), as_float((u + random16) >> 16)));
        store_halves(p, rounded);
    }
#endif
};

// The elements [first, first + count) with bfloat16 moments (see the float adam_span): each
// element's random bits come from its index in the whole parameter.
template <Scalar T>
void adam_span(const AdamVectorStep<T>& adam, T* param, const T* grad, const Bfloat16Moments<T>& moments,
               std::size_t first, std::size_t count) {
    simd::for_each_vector<T>(count, [&](std::size_t i, std::size_t lanes) {
        const std::size_t k = first + i;
        simd::vec<T> m, v;
        moments.load(k, lanes, m, v);
        const auto p = adam(simd::load_partial(param + k, lanes), simd::load_partial(grad + i, lanes), m, v);
        simd::store_partial(param + k, p, lanes);
        moments.store(k, lanes, m, v);
    });
}
}  // namespace detail

// The same update with the moments stored as bfloat16 (AdamOptions::moments): they are widened,
// updated and used for the parameter at full precision, then stored stochastically rounded
// (see core/bfloat16.hpp) with random bits hashed from `rounding_key` and the element index.
template <Scalar T>
void adam_update(cpu, const AdamStep& s, T* param, const T* grad, bfloat16* exp_avg, bfloat16* exp_avg_sq,
                 std::size_t n, std::uint32_t rounding_key) {
    const AdamVectorStep<T> adam(s);
    const detail::Bfloat16Moments<T> moments{exp_avg, exp_avg_sq, rounding_key};
    detail::parallel_blocks(n, detail::elementwise_block, [&](std::size_t begin, std::size_t end) {
        detail::adam_span(adam, param, grad + begin, moments, begin, end - begin);
    });
}

// The slice of a parameter with bfloat16 moments, on the calling thread (see the float one).
template <Scalar T>
void adam_update_slice(cpu, const AdamStep& s, T* param, const T* grad, bfloat16* exp_avg, bfloat16* exp_avg_sq,
                       std::size_t first, std::size_t count, std::uint32_t rounding_key) {
    detail::adam_span(AdamVectorStep<T>(s), param, grad, detail::Bfloat16Moments<T>{exp_avg, exp_avg_sq, rounding_key},
                      first, count);
}

struct SGDStep {
    double lr, momentum, dampening, weight_decay;
    bool nesterov;
    bool first;  // the momentum buffer starts as the first gradient, as in PyTorch
};

// d = grad + wd·p; buf = first ? d : μ·buf + (1 − dampening)·d; d = nesterov ? d + μ·buf : buf;
// p −= lr·d. Without momentum, buf is not touched (and may be null).
template <Scalar T>
void sgd_update(cpu, const SGDStep& s, T* param, const T* grad, T* buf, std::size_t n) {
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

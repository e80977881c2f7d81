#pragma once
// Activation functions as small function objects used by the activation layers and fused into
// the normalisation kernels, with forward and backward kernels.
//
// Every derivative is taken from the activation's *output* y, not its input: for ReLU and
// LeakyReLU with a non-negative slope, y > 0 exactly when x > 0, so a layer may run in place
// (as pix2pix's LeakyReLU(inplace=True) on the U-Net skip does) and still back-propagate.
#include <cstddef>

#include "gan/core/backend.hpp"
#include "gan/core/error.hpp"
#include "gan/kernels/parallel.hpp"
#include "gan/kernels/simd.hpp"

GAN_SIMD_KERNELS_BEGIN
GAN_NAMESPACE_BEGIN
namespace kernels {

template <Scalar T>
struct identity_op {
    static constexpr const char* name = "Identity";
    template <class V>
    V operator()(const V& x) const noexcept { return x; }
    template <class V>
    V grad(const V& /*y*/, const V& dy) const noexcept { return dy; }
};

template <Scalar T>
struct relu_op {
    static constexpr const char* name = "ReLU";
    template <class V>
    V operator()(const V& x) const noexcept { return simd::select(x > V(T(0)), x, V(T(0))); }
    template <class V>
    V grad(const V& y, const V& dy) const noexcept { return simd::select(y > V(T(0)), dy, V(T(0))); }
};

template <Scalar T>
struct leaky_relu_op {
    static constexpr const char* name = "LeakyReLU";
    T negative_slope = T(0.01);  // PyTorch's default

    // Implicit, so that LeakyReLU<T, S> layer{0.2f} reads like PyTorch.
    leaky_relu_op(T slope = T(0.01)) : negative_slope(slope) {
        if (!(slope >= T(0)))
            throw invalid_argument("gan::LeakyReLU: the negative slope must be >= 0 (the backward pass "
                                   "reads the sign of the output); got " + std::to_string(slope));
    }
    template <class V>
    V operator()(const V& x) const noexcept { return simd::select(x > V(T(0)), x, x * V(negative_slope)); }
    template <class V>
    V grad(const V& y, const V& dy) const noexcept {
        return simd::select(y > V(T(0)), dy, dy * V(negative_slope));
    }
};

template <Scalar T>
struct tanh_op {
    static constexpr const char* name = "Tanh";
    template <class V>
    V operator()(const V& x) const noexcept { return simd::tanh(x); }
    template <class V>
    V grad(const V& y, const V& dy) const noexcept { return dy * (V(T(1)) - y * y); }
};

template <Scalar T>
struct sigmoid_op {
    static constexpr const char* name = "Sigmoid";
    template <class V>
    V operator()(const V& x) const noexcept { return V(T(1)) / (V(T(1)) + simd::exp(-x)); }
    template <class V>
    V grad(const V& y, const V& dy) const noexcept { return dy * y * (V(T(1)) - y); }
};

// y = op(x) over n elements; y may equal x.
template <Scalar T, class Op>
void activation_forward(cpu, const Op& op, const T* x, T* y, std::size_t n) {
    detail::parallel_blocks(n, detail::elementwise_block, [&](std::size_t begin, std::size_t end) {
        simd::for_each_vector<T>(end - begin, [&](std::size_t i, std::size_t lanes) {
            simd::store_partial(y + begin + i, op(simd::load_partial(x + begin + i, lanes)), lanes);
        });
    });
}

// The same, each result stored twice (y and y_copy): an activation layer keeps its output for
// its backward pass and hands the caller a copy, in this one pass rather than a second one.
template <Scalar T, class Op>
void activation_forward(cpu, const Op& op, const T* x, T* y, T* y_copy, std::size_t n) {
    detail::parallel_blocks(n, detail::elementwise_block, [&](std::size_t begin, std::size_t end) {
        simd::for_each_vector<T>(end - begin, [&](std::size_t i, std::size_t lanes) {
            const auto v = op(simd::load_partial(x + begin + i, lanes));
            simd::store_partial(y + begin + i, v, lanes);
            simd::store_partial(y_copy + begin + i, v, lanes);
        });
    });
}

// Two activations of the same values in one pass, plane by plane in parallel: values(p, emit)
// hands emit(i, v, lanes) each vector v of plane p (read from a tensor, or computed on the way:
// a norm), and op_a(v) goes to a(p) + i, op_b(v) to b(p) + i. The destinations may lie in
// different tensors: the U-Net's inference pass writes a block's LeakyReLU skip and the ReLU of it
// that the concatenation carries (UNetBlock::hand_inward).
template <Scalar T, class Values, class OpA, class DestA, class OpB, class DestB>
void activation_pair_forward(cpu, std::size_t planes, const Values& values, const OpA& op_a, const DestA& a,
                             const OpB& op_b, const DestB& b) {
    detail::parallel_items(planes, [&](std::size_t p) {
        T* ya = a(p);
        T* yb = b(p);
        values(p, [&](std::size_t i, const simd::vec<T>& v, std::size_t lanes) {
            simd::store_partial(ya + i, op_a(v), lanes);
            simd::store_partial(yb + i, op_b(v), lanes);
        });
    });
}

// The values of activation_pair_forward read as they are from planes of `plane` values at x.
template <Scalar T>
struct plane_reader {
    const T* x;
    std::size_t plane;
    template <class Emit>
    void operator()(std::size_t p, const Emit& emit) const {
        const T* xp = x + p * plane;
        simd::for_each_vector<T>(plane, [&](std::size_t i, std::size_t lanes) {
            emit(i, simd::load_partial(xp + i, lanes), lanes);
        });
    }
};

// Where a fused pass (BatchNorm2d::eval_channel, say) hands its vectors: writes op(v) at y + i.
template <Scalar T, class Op>
auto store_activated(const Op& op, T* y) {
    return [op, y](std::size_t i, const simd::vec<T>& v, std::size_t lanes) {
        simd::store_partial(y + i, op(v), lanes);
    };
}

// A store that first multiplies each vector by the matching stretch of a mask (dropout fused into
// a channel's pass): store(i, v · mask[i, i + lanes), lanes), the product kernels::multiply takes.
template <Scalar T, class Store>
auto store_masked(const T* mask, const Store& store) {
    return [mask, store](std::size_t i, const simd::vec<T>& v, std::size_t lanes) {
        store(i, v * simd::load_partial(mask + i, lanes), lanes);
    };
}

// dx = dy · op'(x), with op' evaluated from the forward output y; dx may equal dy.
template <Scalar T, class Op>
void activation_backward(cpu, const Op& op, const T* y, const T* dy, T* dx, std::size_t n) {
    detail::parallel_blocks(n, detail::elementwise_block, [&](std::size_t begin, std::size_t end) {
        simd::for_each_vector<T>(end - begin, [&](std::size_t i, std::size_t lanes) {
            const auto g = op.grad(simd::load_partial(y + begin + i, lanes), simd::load_partial(dy + begin + i, lanes));
            simd::store_partial(dx + begin + i, g, lanes);
        });
    });
}

}  // namespace kernels
GAN_NAMESPACE_END
GAN_SIMD_KERNELS_END

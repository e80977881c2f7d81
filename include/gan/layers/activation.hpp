#pragma once
// Activation layers: ReLU, LeakyReLU, Tanh, Sigmoid. forward(x, y) may run in place (&x == &y):
// the layer keeps its own copy of the output, from which the derivative is taken.
//
//   gan::LeakyReLU<float, S> act{0.2f};    // LeakyReLU(0.2)
#include <cstddef>

#include "gan/core/scratch.hpp"
#include "gan/core/shape.hpp"
#include "gan/core/tensor.hpp"
#include "gan/kernels/activation.hpp"
#include "gan/layers/checks.hpp"

GAN_NAMESPACE_BEGIN

template <Scalar T, ShapeType In, class Op, Backend B = cpu>
class Activation {
public:
    using input_shape = In;
    using output_shape = In;
    using input_type = Tensor<T, In, B>;
    using output_type = Tensor<T, In, B>;

    explicit Activation(Op op = Op()) : op_(op) {}

    void forward(const input_type& x, output_type& y) {
        detail::check_nonempty(Op::name, x.batch());
        y.resize(x.batch());
        y_.resize(x.batch());
        kernels::activation_forward(B{}, op_, x.data(), y_.data(), y.data(), x.size());
    }

    // The inference pass: keeps nothing for backward.
    void forward(const input_type& x, output_type& y, Scratch<B>&) const {
        detail::check_nonempty(Op::name, x.batch());
        y.resize(x.batch());
        kernels::activation_forward(B{}, op_, x.data(), y.data(), x.size());
    }

    // dx may be the same tensor as dy.
    void backward(const output_type& dy, input_type& dx) {
        detail::check_backward_batch(Op::name, y_.batch(), dy.batch());
        dx.resize(dy.batch());
        kernels::activation_backward(B{}, op_, y_.data(), dy.data(), dx.data(), dy.size());
    }

    template <class F>
    void visit_parameters(F&&) const {}
    template <class F>
    void visit_buffers(F&&) const {}
    void zero_grad() noexcept {}
    void train() noexcept {}
    void eval() noexcept {}

    const Op& op() const noexcept { return op_; }

private:
    Op op_;
    output_type y_;  // output of the last forward pass
};

template <Scalar T, ShapeType In, Backend B = cpu>
using ReLU = Activation<T, In, kernels::relu_op<T>, B>;
template <Scalar T, ShapeType In, Backend B = cpu>
using LeakyReLU = Activation<T, In, kernels::leaky_relu_op<T>, B>;
template <Scalar T, ShapeType In, Backend B = cpu>
using Tanh = Activation<T, In, kernels::tanh_op<T>, B>;
template <Scalar T, ShapeType In, Backend B = cpu>
using Sigmoid = Activation<T, In, kernels::sigmoid_op<T>, B>;

GAN_NAMESPACE_END

#pragma once
// What the loss functions share: checking the operands and running the kernel.
#include <string>

#include "gan/core/error.hpp"
#include "gan/core/tensor.hpp"
#include "gan/kernels/loss.hpp"

GAN_NAMESPACE_BEGIN
namespace detail {

template <Scalar T, ShapeType S, Backend B, class Term>
T mean_loss(const char* name, const Tensor<T, S, B>& x, const T* target, T target_value, Tensor<T, S, B>& grad,
            const Term& term) {
    if (x.empty())
        throw shape_error(std::string("gan::") + name + ": the input is empty; give at least one sample");
    grad.resize(x.batch());
    return T(kernels::mean_loss(B{}, x.data(), target, target_value, grad.data(), x.size(), term));
}

template <Scalar T, ShapeType S, Backend B>
void check_target(const char* name, const Tensor<T, S, B>& x, const Tensor<T, S, B>& target) {
    if (target.batch() != x.batch())
        throw shape_error(std::string("gan::") + name + ": the target has batch size " + std::to_string(target.batch()) +
                          " but the input has " + std::to_string(x.batch()) + "; give one target per input sample");
}

}  // namespace detail
GAN_NAMESPACE_END

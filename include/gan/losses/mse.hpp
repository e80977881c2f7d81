#pragma once
// MSELoss: the mean of (x − t)²: PyTorch's nn.MSELoss, the LSGAN loss.
//
// Returns the loss and writes its gradient with respect to x (same shape, already divided by
// the element count) into grad, ready for the network's backward(grad).
#include "gan/core/tensor.hpp"
#include "gan/kernels/loss.hpp"
#include "gan/losses/detail.hpp"

GAN_NAMESPACE_BEGIN

// The target is one value for every element.
template <Scalar T, ShapeType S, Backend B>
T mse_loss(const Tensor<T, S, B>& x, T target, Tensor<T, S, B>& grad) {
    return detail::mean_loss("mse_loss", x, static_cast<const T*>(nullptr), target, grad, kernels::mse_term<T>{});
}

// An elementwise target.
template <Scalar T, ShapeType S, Backend B>
T mse_loss(const Tensor<T, S, B>& x, const Tensor<T, S, B>& target, Tensor<T, S, B>& grad) {
    detail::check_target("mse_loss", x, target);
    return detail::mean_loss("mse_loss", x, target.data(), T(0), grad, kernels::mse_term<T>{});
}

GAN_NAMESPACE_END

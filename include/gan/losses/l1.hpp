#pragma once
// L1Loss: the mean of |x − t|: PyTorch's nn.L1Loss, pix2pix's reconstruction term (weighted by λ =
// 100).
//
// Returns the loss and writes its gradient with respect to x (same shape, already divided by
// the element count) into grad, ready for the network's backward(grad).
#include "gan/core/tensor.hpp"
#include "gan/kernels/loss.hpp"
#include "gan/losses/detail.hpp"

GAN_NAMESPACE_BEGIN

// The target is one value for every element.
template <Scalar T, ShapeType S, Backend B>
T l1_loss(const Tensor<T, S, B>& x, T target, Tensor<T, S, B>& grad) {
    return detail::mean_loss("l1_loss", x, static_cast<const T*>(nullptr), target, grad, kernels::l1_term<T>{});
}

// An elementwise target.
template <Scalar T, ShapeType S, Backend B>
T l1_loss(const Tensor<T, S, B>& x, const Tensor<T, S, B>& target, Tensor<T, S, B>& grad) {
    detail::check_target("l1_loss", x, target);
    return detail::mean_loss("l1_loss", x, target.data(), T(0), grad, kernels::l1_term<T>{});
}

GAN_NAMESPACE_END

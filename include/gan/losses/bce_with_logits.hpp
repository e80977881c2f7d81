#pragma once
// BCEWithLogitsLoss: the mean over all elements of max(x, 0) − x·t + log(1 + e^−|x|): PyTorch's
// nn.BCEWithLogitsLoss (reduction 'mean'). With a scalar target (1 for real, 0 for fake) it is
// pix2pix's vanilla GAN loss on the PatchGAN's logit map.
//
// Returns the loss and writes its gradient with respect to x (same shape, already divided by
// the element count) into grad, ready for the network's backward(grad).
#include "gan/core/tensor.hpp"
#include "gan/kernels/loss.hpp"
#include "gan/losses/detail.hpp"

GAN_NAMESPACE_BEGIN

// The target is one value for every element.
template <Scalar T, ShapeType S, Backend B>
T bce_with_logits(const Tensor<T, S, B>& x, T target, Tensor<T, S, B>& grad) {
    return detail::mean_loss("bce_with_logits", x, static_cast<const T*>(nullptr), target, grad, kernels::bce_with_logits_term<T>{});
}

// An elementwise target.
template <Scalar T, ShapeType S, Backend B>
T bce_with_logits(const Tensor<T, S, B>& x, const Tensor<T, S, B>& target, Tensor<T, S, B>& grad) {
    detail::check_target("bce_with_logits", x, target);
    return detail::mean_loss("bce_with_logits", x, target.data(), T(0), grad, kernels::bce_with_logits_term<T>{});
}

GAN_NAMESPACE_END

#pragma once
// Moving tensors between backends: the one way to read a device tensor on the host.
#include "gan/core/tensor.hpp"

GAN_NAMESPACE_BEGIN

// Copies a tensor of any backend into a new host (CPU) tensor.
template <Scalar T, ShapeType S, Backend B>
Tensor<T, S, cpu> to_host(const Tensor<T, S, B>& source) {
    Tensor<T, S, cpu> host(source.batch());
    B::copy_to_host(host.data(), source.data(), source.bytes());
    return host;
}

// Copies a host tensor into a new tensor of backend To.
template <Backend To, Scalar T, ShapeType S>
Tensor<T, S, To> to_backend(const Tensor<T, S, cpu>& source) {
    Tensor<T, S, To> result(source.batch());
    To::copy_from_host(result.data(), source.data(), source.bytes());
    return result;
}

GAN_NAMESPACE_END

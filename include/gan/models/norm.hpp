#pragma once
// The normalisation choice of the pix2pix networks, as a tag: gan::BatchNorm (the default) or
// gan::InstanceNorm. It also decides the conv biases, as in the reference: a conv followed by
// BatchNorm has no bias (the norm's shift makes it redundant), one followed by InstanceNorm
// (affine=False) has one.
#include "gan/kernels/activation.hpp"
#include "gan/layers/batch_norm2d.hpp"
#include "gan/layers/instance_norm2d.hpp"

GAN_NAMESPACE_BEGIN

struct BatchNorm {
    static constexpr const char* name = "batch";
    static constexpr bool conv_bias = false;
    template <Scalar T, ShapeType S, Backend B>
    using layer = BatchNorm2d<T, S, kernels::identity_op<T>, B>;
    static constexpr long long parameters(int channels) { return 2LL * channels; }  // weight, bias
};

struct InstanceNorm {
    static constexpr const char* name = "instance";
    static constexpr bool conv_bias = true;
    template <Scalar T, ShapeType S, Backend B>
    using layer = InstanceNorm2d<T, S, kernels::identity_op<T>, B>;
    static constexpr long long parameters(int) { return 0; }
};

template <class N>
concept NormKind = requires {
    { N::conv_bias } -> std::convertible_to<bool>;
    { N::name } -> std::convertible_to<const char*>;
};

GAN_NAMESPACE_END

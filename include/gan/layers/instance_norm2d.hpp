#pragma once
// InstanceNorm2d as pix2pix uses it (PyTorch's defaults: affine=False,
// track_running_stats=False): every (sample, channel) plane is normalised by its own mean and
// biased variance, in training and evaluation alike. Optionally fused with the activation that
// follows it. No parameters, no buffers.
#include <cstddef>

#include "gan/core/scratch.hpp"
#include "gan/core/shape.hpp"
#include "gan/core/tensor.hpp"
#include "gan/kernels/activation.hpp"
#include "gan/kernels/norm.hpp"
#include "gan/layers/checks.hpp"

GAN_NAMESPACE_BEGIN

template <Scalar T, ShapeType In, class Activation = kernels::identity_op<T>, Backend B = cpu>
class InstanceNorm2d {
    static_assert(In::plane > 1, "gan::InstanceNorm2d: a 1x1 plane has no spatial statistics; "
                                 "use no norm there (as pix2pix's innermost block does)");

public:
    using input_shape = In;
    using output_shape = In;
    using input_type = Tensor<T, In, B>;
    using output_type = Tensor<T, In, B>;
    using activation_type = Activation;

    explicit InstanceNorm2d(Activation activation = Activation(), T eps = T(1e-5)) : activation_(activation), eps_(eps) {}

    void forward(const input_type& x, output_type& y) {
        detail::check_nonempty("InstanceNorm2d", x.batch());
        y.resize(x.batch());
        xhat_.resize(x.batch());
        mean_.resize(x.batch());
        var_.resize(x.batch());
        kernels::norm_forward_train(B{}, geometry(x.batch()), x.data(), static_cast<const T*>(nullptr),
                                    static_cast<const T*>(nullptr), eps_, activation_, y.data(), xhat_.data(),
                                    mean_.data(), var_.data());
    }

    // The inference pass (statistics are always the plane's own); workspace from `scratch`.
    void forward(const input_type& x, output_type& y, Scratch<B>& scratch, bool /*batch_statistics*/ = true) const {
        detail::check_nonempty("InstanceNorm2d", x.batch());
        y.resize(x.batch());
        const std::size_t planes = x.batch() * std::size_t(In::channels);
        kernels::norm_forward_train(B{}, geometry(x.batch()), x.data(), static_cast<const T*>(nullptr),
                                    static_cast<const T*>(nullptr), eps_, activation_, y.data(),
                                    scratch.template take<T>(x.size()), scratch.template take<T>(planes),
                                    scratch.template take<T>(planes));
    }

    void backward(const output_type& dy, input_type& dx) {
        detail::check_backward_batch("InstanceNorm2d", xhat_.batch(), dy.batch());
        dx.resize(dy.batch());
        kernels::norm_backward(B{}, geometry(dy.batch()), true, xhat_.data(), dy.data(), static_cast<const T*>(nullptr),
                               static_cast<const T*>(nullptr), var_.data(), eps_, activation_, dx.data(),
                               static_cast<T*>(nullptr), static_cast<T*>(nullptr));
    }

    template <class F>
    void visit_parameters(F&&) const {}
    template <class F>
    void visit_buffers(F&&) const {}
    void zero_grad() noexcept {}
    void train() noexcept {}
    void eval() noexcept {}

private:
    static kernels::NormGeometry geometry(std::size_t batch) {
        return kernels::NormGeometry::instance_norm(batch, In::channels, In::plane);
    }

    Activation activation_;
    T eps_;
    input_type xhat_;
    Tensor<T, Shape<In::channels, 1, 1>, B> mean_;  // per (sample, channel) statistics
    Tensor<T, Shape<In::channels, 1, 1>, B> var_;
};

GAN_NAMESPACE_END

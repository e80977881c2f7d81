#pragma once
// BatchNorm2d with PyTorch's semantics, optionally fused with the activation that follows it.
//
// Training mode normalises with the statistics of the batch — per channel over all samples and
// pixels, so batch size 1 (pix2pix) normalises each image by itself — and updates the running
// statistics: running = 0.9 · running + 0.1 · batch, the variance made unbiased. Evaluation mode
// normalises with the running statistics. eps = 1e-5.
//
//   gan::BatchNorm2d<float, S> bn;                                          // BatchNorm2d(C)
//   gan::BatchNorm2d<float, S, gan::kernels::leaky_relu_op<float>> bn{0.2f};  // + LeakyReLU(0.2) in one pass
//
// Parameters: weight, bias [C]; buffers: running_mean, running_var [C], num_batches_tracked
// (a 64-bit integer, as PyTorch's), so visit_buffers needs a visitor that takes both Array types.
#include <cstddef>
#include <cstdint>

#include "gan/core/scratch.hpp"
#include "gan/core/shape.hpp"
#include "gan/core/tensor.hpp"
#include "gan/kernels/activation.hpp"
#include "gan/kernels/norm.hpp"
#include "gan/layers/checks.hpp"
#include "gan/layers/parameter.hpp"

GAN_NAMESPACE_BEGIN

template <Scalar T, ShapeType In, class Activation = kernels::identity_op<T>, Backend B = cpu>
class BatchNorm2d {
public:
    using input_shape = In;
    using output_shape = In;
    using input_type = Tensor<T, In, B>;
    using output_type = Tensor<T, In, B>;
    using activation_type = Activation;
    static constexpr int channels = In::channels;

    explicit BatchNorm2d(Activation activation = Activation(), T eps = T(1e-5), T momentum = T(0.1))
        : activation_(activation),
          eps_(eps),
          momentum_(momentum),
          weight_({channels}),
          bias_({channels}),
          running_mean_({channels}),
          running_var_({channels}),
          num_batches_tracked_(std::vector<std::size_t>{}),
          batch_mean_({channels}),
          batch_var_({channels}) {
        fill_host(weight_.value().data(), 1);
        fill_host(running_var_.data(), 1);
    }

    void forward(const input_type& x, output_type& y) {
        detail::check_nonempty("BatchNorm2d", x.batch());
        const auto g = kernels::NormGeometry::batch_norm(x.batch(), channels, In::plane);
        y.resize(x.batch());
        xhat_.resize(x.batch());
        forward_training_ = training_;
        if (training_) {
            if (g.count() < 2)
                throw shape_error("gan::BatchNorm2d::forward: training mode needs more than one value per channel, "
                                  "but the input " + In::str() + " with batch size 1 has one; use a larger "
                                  "batch or image, or eval()");
            kernels::norm_forward_train(B{}, g, x.data(), weight_.value().data(), bias_.value().data(), eps_, activation_,
                                        y.data(), xhat_.data(), batch_mean_.data(), batch_var_.data());
            kernels::norm_update_running(B{}, std::size_t(channels), g.count(), momentum_, batch_mean_.data(),
                                         batch_var_.data(), running_mean_.data(), running_var_.data());
            ++num_batches_tracked_[0];
        } else {
            kernels::norm_forward_eval(B{}, g, x.data(), weight_.value().data(), bias_.value().data(),
                                       running_mean_.data(), running_var_.data(), eps_, activation_, y.data(), xhat_.data());
        }
    }

    // The inference pass: normalises with the batch's own statistics (pix2pix's test protocol)
    // or with the running statistics, whatever train()/eval() say, and updates nothing; its
    // workspace comes from `scratch`, so threads with their own Scratch may call it concurrently.
    void forward(const input_type& x, output_type& y, Scratch<B>& scratch, bool batch_statistics) const {
        detail::check_nonempty("BatchNorm2d", x.batch());
        const auto g = kernels::NormGeometry::batch_norm(x.batch(), channels, In::plane);
        y.resize(x.batch());
        if (batch_statistics) {
            T* xhat = scratch.template take<T>(x.size());
            if (g.count() < 2)
                throw shape_error("gan::BatchNorm2d::forward: batch statistics need more than one value per channel, "
                                  "but the input " + In::str() + " with batch size 1 has one; use the running "
                                  "statistics or a larger batch");
            kernels::norm_forward_train(B{}, g, x.data(), weight_.value().data(), bias_.value().data(), eps_, activation_,
                                        y.data(), xhat, scratch.template take<T>(channels),
                                        scratch.template take<T>(channels));
        } else {
            kernels::norm_forward_eval(B{}, g, x.data(), weight_.value().data(), bias_.value().data(),
                                       running_mean_.data(), running_var_.data(), eps_, activation_, y.data(),
                                       static_cast<T*>(nullptr));
        }
    }

    // Channel c of one sample's eval-mode output (running statistics), handed to
    // store(i, value, lanes) vector by vector instead of written: what lets an inference pass
    // write the norm's output where the next step wants it, in the layout it wants, with the
    // bits of forward() (see UNetBlock, which fuses it into ConvTranspose2d's channel epilogue).
    template <class Store>
    void eval_channel(std::size_t c, const T* x, Store&& store) const
        requires B::host_accessible
    {
        const kernels::ChannelNormalisation<T> norm(running_mean_.data()[c], running_var_.data()[c], eps_,
                                                    weight_.value().data()[c], bias_.value().data()[c]);
        norm.apply(x, In::plane, [&](std::size_t i, auto, auto affine, std::size_t lanes) {
            store(i, activation_(affine), lanes);
        });
    }

    // The same for channel c of a batch of one normalised by its own statistics (the reference
    // test protocol): the bits of the inference forward() with batch statistics, whose statistics
    // for one sample come from that sample's plane alone.
    template <class Store>
    void batch_channel(std::size_t c, const T* x, Store&& store) const
        requires B::host_accessible
    {
        static_assert(In::plane >= 2, "batch statistics of a batch of one need more than one value per channel");
        const auto g = kernels::NormGeometry::batch_norm(1, 1, In::plane);
        const auto [mean, var] = kernels::group_statistics(g, 0, x);
        const kernels::ChannelNormalisation<T> norm(mean, var, eps_, weight_.value().data()[c], bias_.value().data()[c]);
        norm.apply(x, In::plane, [&](std::size_t i, auto, auto affine, std::size_t lanes) {
            store(i, activation_(affine), lanes);
        });
    }

    // Accumulates the weight and bias gradients and writes the input gradient, through the
    // statistics of the mode the forward pass ran in.
    void backward(const output_type& dy, input_type& dx) {
        detail::check_backward_batch("BatchNorm2d", xhat_.batch(), dy.batch());
        dx.resize(dy.batch());
        const auto g = kernels::NormGeometry::batch_norm(dy.batch(), channels, In::plane);
        kernels::norm_backward(B{}, g, forward_training_, xhat_.data(), dy.data(), weight_.value().data(),
                               bias_.value().data(), forward_training_ ? batch_var_.data() : running_var_.data(), eps_,
                               activation_, dx.data(), weight_.grad().data(), bias_.grad().data());
    }

    template <class F>
    void visit_parameters(F&& f) {
        f("weight", weight_);
        f("bias", bias_);
    }
    template <class F>
    void visit_parameters(F&& f) const {
        f("weight", weight_);
        f("bias", bias_);
    }
    template <class F>
    void visit_buffers(F&& f) {
        f("running_mean", running_mean_);
        f("running_var", running_var_);
        f("num_batches_tracked", num_batches_tracked_);
    }
    template <class F>
    void visit_buffers(F&& f) const {
        f("running_mean", running_mean_);
        f("running_var", running_var_);
        f("num_batches_tracked", num_batches_tracked_);
    }

    void zero_grad() {
        weight_.zero_grad();
        bias_.zero_grad();
    }
    void train() noexcept { training_ = true; }
    void eval() noexcept { training_ = false; }
    bool is_training() const noexcept { return training_; }

    Parameter<T, B>& weight() noexcept { return weight_; }
    Parameter<T, B>& bias() noexcept { return bias_; }
    Array<T, B>& running_mean() noexcept { return running_mean_; }
    Array<T, B>& running_var() noexcept { return running_var_; }
    std::int64_t num_batches_tracked() const noexcept { return num_batches_tracked_[0]; }
    const Activation& activation() const noexcept { return activation_; }
    T eps() const noexcept { return eps_; }
    T momentum() const noexcept { return momentum_; }

private:
    static void fill_host(T* p, int value) {
        const T v = T(value);
        B::copy_from_host(p, std::vector<T>(channels, v).data(), channels * sizeof(T));
    }

    Activation activation_;
    T eps_;
    T momentum_;
    bool training_ = true;
    bool forward_training_ = true;
    Parameter<T, B> weight_;
    Parameter<T, B> bias_;
    Array<T, B> running_mean_;
    Array<T, B> running_var_;
    // A counter the layer itself updates, so it stays in host memory on every backend.
    Array<std::int64_t, cpu> num_batches_tracked_;
    Array<T, B> batch_mean_;
    Array<T, B> batch_var_;
    input_type xhat_;  // normalised input of the last forward pass
};

GAN_NAMESPACE_END

#pragma once
// ConvTranspose2d: the adjoint of Conv2d (PyTorch's "fractionally strided" convolution), as
// GEMM + col2im: each input pixel's column W^T·x is scattered onto the output.
//
//   gan::ConvTranspose2d<float, gan::Shape<128, 64, 64>, 1, 4, 2, 1> up;   // ConvTranspose2d(128, 1, 4, 2, 1)
//
// Parameters as in PyTorch: weight [in][out][k][k], bias [out].
#include <cmath>
#include <cstddef>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "gan/core/autocast.hpp"
#include "gan/core/init.hpp"
#include "gan/core/random.hpp"
#include "gan/core/scratch.hpp"
#include "gan/core/shape.hpp"
#include "gan/core/tensor.hpp"
#include "gan/core/tensor_slice.hpp"
#include "gan/kernels/elementwise.hpp"
#include "gan/kernels/conv_transpose.hpp"
#include "gan/kernels/gemm.hpp"
#include "gan/kernels/im2col.hpp"
#include "gan/layers/checks.hpp"
#include "gan/layers/live_tap_weight.hpp"
#include "gan/layers/packed_weight.hpp"
#include "gan/layers/parameter.hpp"
#include "gan/layers/weight_gradient.hpp"

GAN_NAMESPACE_BEGIN

template <Scalar T, ShapeType In, int OutChannels, int Kernel, int Stride = 1, int Padding = 0, bool Bias = true,
          Backend B = cpu>
class ConvTranspose2d {
public:
    using input_shape = In;
    using output_shape = conv_transpose2d_output_t<In, OutChannels, Kernel, Stride, Padding>;
    using input_type = Tensor<T, In, B>;
    using output_type = Tensor<T, output_shape, B>;
    static constexpr bool has_bias = Bias;

    // Zero weights and bias: initialise with reset_parameters() or through visit_parameters().
    ConvTranspose2d()
        : weight_({In::channels, OutChannels, Kernel, Kernel}),
          bias_(Bias ? std::vector<std::size_t>{OutChannels} : std::vector<std::size_t>{0}),
          cols_({geometry().rows(), geometry().columns()}) {
        weight_.set_gradient_written_whole();  // through gradient_target() in backward
    }
    explicit ConvTranspose2d(Random& rng) : ConvTranspose2d() { reset_parameters(rng); }

    // PyTorch's default initialisation: U(−1/√fan_in, 1/√fan_in) where PyTorch's fan_in of the
    // [in][out][k][k] weight is out·k·k.
    void reset_parameters(Random& rng)
        requires B::host_accessible
    {
        const double bound = 1.0 / std::sqrt(double(OutChannels * Kernel * Kernel));
        fill_uniform(weight_.value().data(), weight_.size(), -bound, bound, rng);
        if constexpr (Bias) fill_uniform(bias_.value().data(), bias_.size(), -bound, bound, rng);
    }

    void forward(const input_type& x, output_type& y) {
        detail::check_nonempty("ConvTranspose2d", x.batch());
        x_.resize(x.batch());
        kernels::copy(B{}, x.data(), x_.data(), x.size());  // x_ = x, in parallel blocks
        y.resize(x.batch());
        if constexpr (bfloat16_products)
            if (bfloat16_training())
                return scatter(x, TensorSlice<T, output_shape, B>(y), kernels::without_dead_taps(geometry()),
                               bfloat16_weights(), cols_.data(), leave_channel);
        scatter(x, TensorSlice<T, output_shape, B>(y), geometry(), std::as_const(weight_).value().data(), cols_.data(),
                leave_channel);
    }

    // The inference pass: reads the weights only and takes its workspace from `scratch`; the
    // weights are packed once per change (see Conv2d), for the blocked GEMM or, on at most four
    // input pixels, for the streaming kernel. It leaves out the kernel taps that only ever land in
    // the padding (see kernels::without_dead_taps and live_tap_weight.hpp): every other tap's
    // column is the same dot product and is added in the same order, so the result is
    // bit-identical to the training pass.
    void forward(const input_type& x, output_type& y, Scratch<B>& scratch) const {
        y.resize(x.batch());
        forward(x, TensorSlice<T, output_shape, B>(y), scratch, leave_channel);
    }

    // The same pass written through a slice (into a concatenation, say), with finish(c, values)
    // run on every output channel c of every sample (output_shape::plane values, bias added) as
    // soon as it is complete: on the core that has just computed it, while the channel is in that
    // core's cache. How the U-Net's inference pass fuses the norm and activation that follow.
    template <class Finish>
    void forward(const input_type& x, TensorSlice<T, output_shape, B> y, Scratch<B>& scratch,
                 const Finish& finish) const {
        detail::check_nonempty("ConvTranspose2d", x.batch());
        if (y.batch() != x.batch())
            throw shape_error("gan::ConvTranspose2d::forward: the output slice holds " + std::to_string(y.batch()) +
                              " samples for an input of " + std::to_string(x.batch()) +
                              "; resize the tensor it slices first");
        constexpr auto g = kernels::without_dead_taps(geometry());
        T* cols = scratch.template take<T>(g.rows() * g.columns());
        if constexpr (bfloat16_inference)
            if (Autocast::precision() == ProductPrecision::bfloat16) return scatter(x, y, g, bfloat16_weights(), cols, finish);
        if constexpr (packed_inference) {
            const auto& packed = packed_.get(weight_.version(), [&](kernels::PackedA<T>& p) {
                with_live_weights([&](const T* w) { p.pack(g.rows(), In::channels, kernels::Transpose::yes, w, g.rows()); });
            });
            scatter(x, y, g, packed, cols, finish);
        } else {
            const auto& streamed = streamed_.get(weight_.version(), [&](kernels::StreamedA<T>& p) {
                with_live_weights([&](const T* w) { p.pack(g.rows(), In::channels, w, g.rows()); });
            });
            scatter(x, y, g, streamed, cols, finish);
        }
    }

    // Accumulates the weight and bias gradients and writes the input gradient.
    void backward(const output_type& dy, input_type& dx) {
        detail::check_backward_batch("ConvTranspose2d", x_.batch(), dy.batch());
        dx.resize(dy.batch());
        const auto g = geometry();
        const kernels::GemmShape input_grad{In::channels, g.columns(), g.rows(), kernels::Transpose::no,
                                            kernels::Transpose::no, g.rows(), g.columns(), g.columns()};
        const kernels::GemmShape weight_grad{In::channels, g.rows(), g.columns(), kernels::Transpose::no,
                                             kernels::Transpose::yes, g.columns(), g.columns(), g.rows()};
        // Samples in order, each accumulated into the gradient: a fixed summation order. After
        // zero_grad() the first sample stores its product rather than adding it to zeros. One
        // sample's gradient may go to the optimiser as it is computed, after the input gradient
        // has read the weights (see weight_gradient.hpp).
        // Under gan::Autocast, both products in bfloat16 (W rounded once per change), except a
        // weight gradient that goes to the optimiser slice by slice.
        const bool bfloat16 = bfloat16_training(), bfloat16_weight_grad =
            bfloat16 && !detail::weight_gradient_in_slices(weight_, weight_grad, dy.batch());
        const bool one_sample = dy.batch() == 1 && !bfloat16_weight_grad;
        const auto target = one_sample ? typename Parameter<T, B>::GradientTarget{} : weight_.gradient_target();
        for (std::size_t n = 0; n < dy.batch(); ++n) {
            kernels::im2col(B{}, g, dy.data() + n * output_shape::size, cols_.data());
            const T* x_n = x_.data() + n * In::size;
            T* dx_n = dx.data() + n * In::size;
            const bool accumulate = !(target.overwrite && n == 0);
            if constexpr (bfloat16_products)
                if (bfloat16) {
                    const auto& w = bfloat16_input_grad_.get(weight_.version(), [&](kernels::BFloat16A& p) {
                        p.pack(In::channels, g.rows(), kernels::Transpose::no, weight_.value().data(), g.rows());
                    });
                    kernels::gemm_bf16(B{}, input_grad, w, cols_.data(), dx_n, false);
                    if (one_sample)  // to the optimiser slice by slice, in float32
                        detail::store_weight_gradient(weight_, weight_grad, x_.data(), cols_.data());
                    else
                        detail::weight_gradient_bfloat16(weight_grad, x_n, cols_.data(), target.data, accumulate);
                    continue;
                }
            kernels::gemm(B{}, input_grad, std::as_const(weight_).value().data(), cols_.data(), dx_n, false);
            if (one_sample)
                detail::store_weight_gradient(weight_, weight_grad, x_.data(), cols_.data());
            else
                kernels::gemm(B{}, weight_grad, x_n, cols_.data(), target.data, accumulate);
        }
        if constexpr (Bias)
            kernels::accumulate_channel_sums(B{}, dy.data(), dy.batch(), OutChannels, output_shape::plane, bias_.grad().data());
    }

    template <class F>
    void visit_parameters(F&& f) {
        f("weight", weight_);
        if constexpr (Bias) f("bias", bias_);
    }
    template <class F>
    void visit_parameters(F&& f) const {
        f("weight", weight_);
        if constexpr (Bias) f("bias", bias_);
    }
    template <class F>
    void visit_buffers(F&&) const {}
    template <class F>
    void visit_buffers(F&&) {}

    void zero_grad() {
        weight_.zero_grad();
        if constexpr (Bias) bias_.zero_grad();
    }
    void train() noexcept {}
    void eval() noexcept {}

    Parameter<T, B>& weight() noexcept { return weight_; }
    const Parameter<T, B>& weight() const noexcept { return weight_; }
    Parameter<T, B>& bias() noexcept
        requires Bias
    {
        return bias_;
    }
    const Parameter<T, B>& bias() const noexcept
        requires Bias
    {
        return bias_;
    }

    // The geometry of the convolution this layer is the adjoint of: from the output back to the input.
    static constexpr kernels::ConvGeometry geometry() noexcept {
        return {OutChannels, output_shape::height, output_shape::width, Kernel, Stride, Padding, In::height, In::width};
    }

private:
    // Wᵀ (M = C_out·k², K = C_in) is the long, transposed operand: packed once, the product runs
    // 1.3–2× faster (u4 of unet_128: 6.8 → 3.6 ms) and gives the same bits for more than four
    // input pixels. With at most four the packed product has a kernel of its own, whose sums would
    // differ from the training pass; those layers keep W for the streaming kernel instead
    // (kernels::StreamedA: the same sums, read as one sequential block per stretch).
    static constexpr bool packed_inference = std::size_t(In::height) * In::width > 4;
    // gan::Autocast's bfloat16 products: float layers on the CPU; in training, only on images of
    // at least 128 input pixels (detail::bfloat16_trains).
    static constexpr bool bfloat16_inference = std::is_same_v<T, float> && std::is_same_v<B, cpu>;
    static constexpr bool bfloat16_products =
        bfloat16_inference && detail::bfloat16_trains(std::size_t(In::height) * In::width);
    bool bfloat16_training() const noexcept {
        if constexpr (bfloat16_products)
            return Autocast::precision() == ProductPrecision::bfloat16;
        else
            return false;
    }

    // pack(w) with the weights without their dead taps (w [in][live rows]): W as stored, or a
    // transient copy.
    template <class Pack>
    void with_live_weights(const Pack& pack) const {
        constexpr auto g = kernels::without_dead_taps(geometry());
        if constexpr (g.kernel != Kernel) {
            std::vector<T> live;
            detail::gather_live_taps(weight_.value().data(), weight_.size(), geometry(), g, live);
            pack(live.data());
        } else {
            pack(weight_.value().data());
        }
    }

    // Wᵀ without its dead taps rounded to bfloat16, once per change of W (gan::Autocast).
    const kernels::BFloat16A& bfloat16_weights() const
        requires bfloat16_inference
    {
        constexpr auto g = kernels::without_dead_taps(geometry());
        return bfloat16_.get(weight_.version(), [&](kernels::BFloat16A& p) {
            with_live_weights([&](const T* w) { p.pack(g.rows(), In::channels, kernels::Transpose::yes, w, g.rows()); });
        });
    }

    // The finish of the passes that write a whole tensor of their own: channels stay as computed.
    static constexpr auto leave_channel = [](std::size_t, T*) {};

    // Through the geometry g (this layer's, or without its dead taps) and Wᵀ [g.rows()][in]: the
    // weights w [in][g.rows()] as stored (const T*), or packed (kernels::PackedA, StreamedA,
    // BFloat16A). More than four input pixels split the product by output channels
    // (kernels::conv_transpose_forward), and each core adds the bias to and finishes the channels
    // it computed; at most four (StreamedA, BFloat16A, or W as stored) take gemm's kernels for few
    // columns (or gemm_bf16) and col2im, then finish each channel.
    template <class Weights, class Finish>
    void scatter(const input_type& x, TensorSlice<T, output_shape, B> y, const kernels::ConvGeometry& g,
                 const Weights& w, T* cols, const Finish& finish) const {
        for (std::size_t n = 0; n < x.batch(); ++n) {
            const T* x_n = x.data() + n * In::size;
            T* y_n = y.sample(n);
            const auto finish_channel = [&](std::size_t c) {
                T* values = y_n + c * output_shape::plane;
                if constexpr (Bias) kernels::add_plane_bias(B{}, values, bias_.value().data()[c], output_shape::plane);
                finish(c, values);
            };
            if constexpr (std::is_same_v<Weights, kernels::PackedA<T>> ||
                          (std::is_same_v<Weights, kernels::BFloat16A> && packed_inference)) {
                kernels::conv_transpose_forward(B{}, g, w, x_n, cols, y_n, finish_channel);
            } else if constexpr (std::is_same_v<Weights, const T*> && packed_inference) {
                kernels::conv_transpose_forward(B{}, g, w, In::channels, x_n, cols, y_n, finish_channel);
            } else {
                const kernels::GemmShape columns{g.rows(), g.columns(), In::channels, kernels::Transpose::yes,
                                                 kernels::Transpose::no, g.rows(), g.columns(), g.columns()};
                if constexpr (std::is_same_v<Weights, kernels::BFloat16A>)
                    kernels::gemm_bf16(B{}, columns, w, x_n, cols, false);
                else
                    kernels::gemm(B{}, columns, w, x_n, cols, false);
                kernels::col2im(B{}, g, cols, y_n, false);
                for (std::size_t c = 0; c < std::size_t(OutChannels); ++c) finish_channel(c);
            }
        }
    }

    Parameter<T, B> weight_;
    Parameter<T, B> bias_;
    detail::PackedWeight<kernels::PackedA<T>> packed_;      // Wᵀ for the inference pass,
    detail::PackedWeight<kernels::StreamedA<T>> streamed_;  // or for it on at most four pixels
    detail::PackedWeight<kernels::BFloat16A> bfloat16_;     // or under gan::Autocast, and for training under it
    detail::PackedWeight<kernels::BFloat16A> bfloat16_input_grad_;  // W for the input gradient under it
    Array<T, B> cols_;  // column workspace of one sample, reused by every pass
    input_type x_;      // the input of the last forward pass, for the weight gradient
};

GAN_NAMESPACE_END

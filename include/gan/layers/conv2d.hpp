#pragma once
// Conv2d: 2-D convolution (cross-correlation, as PyTorch), square kernel, as im2col + GEMM (the
// const pass with packed weights packs the GEMM's panels straight from the image:
// kernels/conv_implicit.hpp; to one output channel at stride 1, directly: kernels/conv_single.hpp).
//
//   gan::Conv2d<float, gan::Shape<3, 128, 128>, 64, 4, 2, 1, false> down;   // Conv2d(3, 64, 4, 2, 1, bias=False)
//   down.forward(x, y);  ...  down.backward(dy, dx);
//
// Parameters as in PyTorch: weight [out][in][k][k], bias [out].
#include <cmath>
#include <cstddef>
#include <type_traits>
#include <utility>
#include <vector>

#include "gan/core/autocast.hpp"
#include "gan/core/init.hpp"
#include "gan/core/random.hpp"
#include "gan/core/scratch.hpp"
#include "gan/core/shape.hpp"
#include "gan/core/tensor.hpp"
#include "gan/kernels/elementwise.hpp"
#include "gan/kernels/conv_implicit.hpp"
#include "gan/kernels/conv_single.hpp"
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
class Conv2d {
public:
    using input_shape = In;
    using output_shape = conv2d_output_t<In, OutChannels, Kernel, Stride, Padding>;
    using input_type = Tensor<T, In, B>;
    using output_type = Tensor<T, output_shape, B>;
    static constexpr bool has_bias = Bias;

    // Zero weights and bias: initialise with reset_parameters() or through visit_parameters().
    Conv2d()
        : weight_({OutChannels, In::channels, Kernel, Kernel}),
          bias_(Bias ? std::vector<std::size_t>{OutChannels} : std::vector<std::size_t>{0}),
          cols_(direct ? std::vector<std::size_t>{kernels::conv_single_workspace(geometry())}
                       : std::vector<std::size_t>{geometry().rows(), geometry().columns()}) {
        weight_.set_gradient_written_whole();  // through gradient_target() in backward
    }
    explicit Conv2d(Random& rng) : Conv2d() { reset_parameters(rng); }

    // PyTorch's default initialisation: weight and bias ~ U(−1/√fan_in, 1/√fan_in).
    void reset_parameters(Random& rng)
        requires B::host_accessible
    {
        const double bound = 1.0 / std::sqrt(double(In::channels * Kernel * Kernel));
        fill_uniform(weight_.value().data(), weight_.size(), -bound, bound, rng);
        if constexpr (Bias) fill_uniform(bias_.value().data(), bias_.size(), -bound, bound, rng);
    }

    void forward(const input_type& x, output_type& y) {
        detail::check_nonempty("Conv2d", x.batch());
        x_.resize(x.batch());
        kernels::copy(B{}, x.data(), x_.data(), x.size());  // x_ = x, in parallel blocks
        y.resize(x.batch());
        bool convolved = false;
        if constexpr (bfloat16_products)
            if ((convolved = bfloat16_training())) convolve_bfloat16(x, y, cols_.data());
        if (!convolved) convolve(x, y, cols_.data(), nullptr);
        // Not when cols_ holds only the live taps' rows, or (direct) no columns at all.
        cols_hold_last_sample_ = !trims_taps && !direct;
    }

    // The inference pass: reads the weights only, keeps nothing for backward, and takes its
    // workspace from `scratch`, so threads with their own Scratch may call it concurrently.
    // The weights are packed for the GEMM on the first call after they change (see
    // packed_weight.hpp); the result is bit-identical to the training pass.
    void forward(const input_type& x, output_type& y, Scratch<B>& scratch) const {
        detail::check_nonempty("Conv2d", x.batch());
        y.resize(x.batch());
        constexpr auto g = live_geometry();
        if constexpr (bfloat16_inference)
            if (Autocast::precision() == ProductPrecision::bfloat16)
                return convolve_bfloat16(x, y, scratch.template take<T>(g.rows() * g.columns()));
        const kernels::PackedA<T>* packed = nullptr;
        if constexpr (packed_inference)
            packed = &packed_.get(weight_.version(), [&](kernels::PackedA<T>& p) {
                p.pack(OutChannels, g.rows(), kernels::Transpose::no, live_weights(), g.rows());
            });
        // With packed weights the GEMM packs its panels from the image: no column matrix.
        const std::size_t workspace = direct              ? kernels::conv_single_workspace(geometry())
                                      : packed_inference ? 0
                                                         : g.rows() * g.columns();
        convolve(x, y, workspace > 0 ? scratch.template take<T>(workspace) : nullptr, packed);
    }

    // Accumulates the weight and bias gradients and writes the input gradient.
    void backward(const output_type& dy, input_type& dx) {
        if (detail::weight_gradient_in_slices(weight_, weight_grad_gemm(), dy.batch())) {
            // The optimiser updates the weights as their gradient is computed: read them first.
            // (The weight gradient then computes its columns again, a small matrix on these
            // deep layers' images.)
            backward_input(dy, dx);
            backward_parameters(dy);
        } else {
            backward_parameters(dy);
            backward_input(dy, dx);
        }
    }

    // Writes the input gradient only, leaving the parameter gradients alone: for a network
    // whose parameters are frozen in this pass (pix2pix's discriminator during the generator
    // step, as the reference's set_requires_grad(netD, False)). Same dx as backward().
    void backward_input(const output_type& dy, input_type& dx) {
        detail::check_backward_batch("Conv2d", x_.batch(), dy.batch());
        dx.resize(dy.batch());
        const auto g = geometry();
        cols_hold_last_sample_ = false;
        if constexpr (bfloat16_products) {
            if (bfloat16_training()) {  // Wᵀ rounded once per change of W
                const auto& wt = bfloat16_transposed_.get(weight_.version(), [&](kernels::BFloat16A& p) {
                    p.pack(g.rows(), OutChannels, kernels::Transpose::yes, weight_.value().data(), g.rows());
                });
                for (std::size_t n = 0; n < dy.batch(); ++n)
                    kernels::conv_transpose_forward(B{}, g, wt, dy.data() + n * output_shape::size, cols_.data(),
                                                    dx.data() + n * In::size);
                return;
            }
        }
        for (std::size_t n = 0; n < dy.batch(); ++n) {
            const T* dy_n = dy.data() + n * output_shape::size;
            if constexpr (direct) {
                kernels::conv_single_backward_input(B{}, g, std::as_const(weight_).value().data(), dy_n,
                                                    dx.data() + n * In::size, cols_.data());
            } else if constexpr (geometry().columns() > 4) {  // split by input channels: kernels/conv_transpose.hpp
                kernels::conv_transpose_forward(B{}, g, std::as_const(weight_).value().data(), OutChannels, dy_n,
                                                cols_.data(), dx.data() + n * In::size);
            } else {
                kernels::gemm(B{}, input_grad_gemm(), std::as_const(weight_).value().data(), dy_n, cols_.data(), false);
                kernels::col2im(B{}, g, cols_.data(), dx.data() + n * In::size, false);
            }
        }
    }

    // Accumulates the weight and bias gradients only: for a first layer, whose input needs none.
    void backward_parameters(const output_type& dy) {
        detail::check_backward_batch("Conv2d", x_.batch(), dy.batch());
        const auto g = geometry();
        // Samples from the last to the first, each accumulated into the gradient: a fixed
        // summation order that starts with the columns forward() left in the workspace (with
        // pix2pix's batch of 1, the backward pass needs no im2col of its own).
        // After zero_grad() the first sample stores its product rather than adding it to zeros.
        // One sample's gradient may go to the optimiser as it is computed (weight_gradient.hpp).
        // Under gan::Autocast, dW = dy colsᵀ in bfloat16, except where it goes to the optimiser
        // slice by slice (the deep layers, whose product is bound by writing dW).
        const bool bfloat16 =
            bfloat16_training() && !detail::weight_gradient_in_slices(weight_, weight_grad_gemm(), dy.batch());
        const bool one_sample = dy.batch() == 1 && !direct && !bfloat16;
        const auto target = one_sample ? typename Parameter<T, B>::GradientTarget{} : weight_.gradient_target();
        for (std::size_t n = dy.batch(); n-- > 0;) {
            const bool accumulate = !(target.overwrite && n + 1 == dy.batch());
            if constexpr (direct) {
                kernels::conv_single_backward_weight(B{}, g, x_.data() + n * In::size, dy.data() + n * output_shape::size,
                                                     target.data, accumulate, cols_.data());
            } else {
                if (!(cols_hold_last_sample_ && n + 1 == dy.batch()))
                    kernels::im2col(B{}, g, x_.data() + n * In::size, cols_.data());
                cols_hold_last_sample_ = false;
                if (one_sample) {
                    detail::store_weight_gradient(weight_, weight_grad_gemm(), dy.data(), cols_.data());
                    continue;
                }
                if constexpr (bfloat16_products)
                    if (bfloat16) {
                        detail::weight_gradient_bfloat16(weight_grad_gemm(), dy.data() + n * output_shape::size,
                                                         cols_.data(), target.data, accumulate);
                        continue;
                    }
                kernels::gemm(B{}, weight_grad_gemm(), dy.data() + n * output_shape::size, cols_.data(), target.data,
                              accumulate);
            }
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

    static constexpr kernels::ConvGeometry geometry() noexcept {
        return {In::channels, In::height, In::width, Kernel, Stride, Padding, output_shape::height, output_shape::width};
    }

private:
    // One output channel at stride 1 (a PatchGAN's last layer): computed directly, without a
    // column matrix (see kernels/conv_single.hpp).
    static constexpr bool direct = OutChannels == 1 && Stride == 1;

    // Packed W gives the same bits as W packed by the GEMM when there are more than four output
    // pixels; with at most four, the GEMM's dot products over W as stored are faster anyway.
    // Training passes use each weight once per optimiser step: packing a whole 16–32 MiB matrix
    // (a memory copy, about 5 ms) would cost more than the GEMM's own L2-sized packing.
    static constexpr bool packed_inference = geometry().columns() > 4 && !direct;
    // gan::Autocast's bfloat16 products: float layers on the CPU (the direct convolution of a
    // PatchGAN's last layer, one output channel, stays float32).
    static constexpr bool bfloat16_inference = std::is_same_v<T, float> && std::is_same_v<B, cpu> && !direct;
    // In training, only the products of at least 128 output pixels (detail::bfloat16_trains).
    static constexpr bool bfloat16_products = bfloat16_inference && detail::bfloat16_trains(geometry().columns());
    bool bfloat16_training() const noexcept {
        if constexpr (bfloat16_products)
            return Autocast::precision() == ProductPrecision::bfloat16;
        else
            return false;
    }

    // Both forward passes leave out the kernel taps that only ever meet padding (see
    // kernels::without_dead_taps and live_tap_weight.hpp), so they give the same bits; the
    // backward passes run the full geometry, whose gradients for those taps are zero.
    static constexpr kernels::ConvGeometry live_geometry() noexcept { return kernels::without_dead_taps(geometry()); }
    static constexpr bool trims_taps = live_geometry().kernel != Kernel;

    const T* live_weights() const {
        if constexpr (trims_taps)
            return live_
                .get(weight_.version(),
                     [&](std::vector<T>& live) {
                         detail::gather_live_taps(weight_.value().data(), weight_.size(), geometry(), live_geometry(),
                                                  live);
                     })
                .data();
        else
            return weight_.value().data();
    }

    void convolve(const input_type& x, output_type& y, T* workspace, const kernels::PackedA<T>* packed) const {
        for (std::size_t n = 0; n < x.batch(); ++n) {
            T* out = y.data() + n * output_shape::size;
            if constexpr (direct) {
                kernels::conv_single_forward(B{}, geometry(), x.data() + n * In::size, weight_.value().data(), out,
                                             workspace);
            } else if (packed) {
                kernels::conv_forward_implicit(B{}, live_geometry(), *packed, x.data() + n * In::size, out);
            } else {
                kernels::im2col(B{}, live_geometry(), x.data() + n * In::size, workspace);
                kernels::gemm(B{}, forward_gemm(), live_weights(), workspace, out, false);
            }
        }
        if constexpr (Bias)
            kernels::add_channel_bias(B{}, y.data(), bias_.value().data(), x.batch(), OutChannels, output_shape::plane);
    }

    // Under gan::Autocast (lower precision): W rounded to bfloat16 once per change, the columns
    // (into `cols`, live rows × columns) at each call, then the tile product of
    // kernels/cpu/gemm_bf16.hpp.
    void convolve_bfloat16(const input_type& x, output_type& y, T* cols) const
        requires bfloat16_inference
    {
        constexpr auto g = live_geometry();
        const auto& w = bfloat16_.get(weight_.version(), [&](kernels::BFloat16A& p) {
            p.pack(OutChannels, g.rows(), kernels::Transpose::no, live_weights(), g.rows());
        });
        for (std::size_t n = 0; n < x.batch(); ++n) {
            kernels::im2col(B{}, g, x.data() + n * In::size, cols);
            kernels::gemm_bf16(B{}, forward_gemm(), w, cols, y.data() + n * output_shape::size, false);
        }
        if constexpr (Bias)
            kernels::add_channel_bias(B{}, y.data(), bias_.value().data(), x.batch(), OutChannels, output_shape::plane);
    }

    static constexpr kernels::GemmShape forward_gemm() noexcept {
        constexpr auto g = live_geometry();
        return {OutChannels, g.columns(), g.rows(), kernels::Transpose::no, kernels::Transpose::no,
                g.rows(), g.columns(), g.columns()};
    }
    // dcols = Wᵀ dy, then col2im.
    static constexpr kernels::GemmShape input_grad_gemm() noexcept {
        constexpr auto g = geometry();
        return {g.rows(), g.columns(), OutChannels, kernels::Transpose::yes, kernels::Transpose::no,
                g.rows(), g.columns(), g.columns()};
    }
    // dW (+)= dy colsᵀ.
    static constexpr kernels::GemmShape weight_grad_gemm() noexcept {
        constexpr auto g = geometry();
        return {OutChannels, g.rows(), g.columns(), kernels::Transpose::no, kernels::Transpose::yes,
                g.columns(), g.columns(), g.rows()};
    }

    Parameter<T, B> weight_;
    Parameter<T, B> bias_;
    detail::PackedWeight<kernels::PackedA<T>> packed_;  // W for the inference pass
    detail::PackedWeight<kernels::BFloat16A> bfloat16_;  // W for it, and for training, under gan::Autocast
    detail::PackedWeight<kernels::BFloat16A> bfloat16_transposed_;  // Wᵀ for the input gradient under it
    detail::PackedWeight<std::vector<T>> live_;         // W without its dead taps, where it has any
    Array<T, B> cols_;  // im2col workspace of one sample (direct: padded planes), reused by every pass
    bool cols_hold_last_sample_ = false;  // cols_ = im2col of the last sample of x_
    input_type x_;      // the input of the last forward pass, for the weight gradient
};

GAN_NAMESPACE_END

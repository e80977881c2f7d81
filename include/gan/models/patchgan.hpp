#pragma once
// gan::PatchGAN: the pix2pix discriminator (the reference NLayerDiscriminator; with three
// layers the "70×70 PatchGAN"), which classifies overlapping patches as real or fake.
//
//   gan::PatchGAN<> discriminator;        // 3 layers, ndf 64, 2 input channels, 128×128 → 14×14 logits
//
// Layers = 3 gives, with ndf = 64 (C: conv k4 p1, stride s; N: norm; L: LeakyReLU(0.2)):
//   C(in→64, s2, bias) L · C(64→128, s2) N L · C(128→256, s2) N L · C(256→512, s1) N L · C(512→1, s1, bias)
// Widths double per layer up to 8·ndf. The output is a map of logits (no sigmoid): use
// BCE-with-logits (vanilla GAN) or MSE (LSGAN). Parameters carry the reference's names
// ("model.0.weight", "model.3.running_mean", ...).
#include <algorithm>
#include <string>
#include <type_traits>

#include "gan/core/shape.hpp"
#include "gan/core/tensor.hpp"
#include "gan/layers/activation.hpp"
#include "gan/layers/conv2d.hpp"
#include "gan/layers/sequential.hpp"
#include "gan/models/norm.hpp"

GAN_NAMESPACE_BEGIN

namespace detail {

template <Scalar T, Backend B, NormKind Norm, int Layers, int Channels>
struct PatchGANPlan {
    // Width after conv n: ndf·2^n, capped at 8·ndf (the reference's nf_mult = min(2^n, 8)).
    static constexpr int width(int n) { return Channels * std::min(1 << std::min(n, 3), 8); }

    // The layer types of the network, built one convolution stage at a time.
    template <int N, ShapeType S, class... Acc>
    static constexpr auto layers() {
        if constexpr (N > Layers) {
            return std::type_identity<Sequential<Acc..., Conv2d<T, S, 1, 4, 1, 1, true, B>>>{};
        } else {
            using conv = Conv2d<T, S, width(N), 4, N < Layers ? 2 : 1, 1, N == 0 || Norm::conv_bias, B>;
            using O = typename conv::output_shape;
            if constexpr (N == 0) return layers<N + 1, O, Acc..., conv, LeakyReLU<T, O, B>>();
            else return layers<N + 1, O, Acc..., conv, typename Norm::template layer<T, O, B>, LeakyReLU<T, O, B>>();
        }
    }
};

template <class L>
struct is_leaky_relu : std::false_type {};
template <Scalar T, ShapeType S, Backend B>
struct is_leaky_relu<Activation<T, S, kernels::leaky_relu_op<T>, B>> : std::true_type {};

}  // namespace detail

template <int Layers = 3, int Channels = 64, int InChannels = 2, NormKind Norm = BatchNorm, Backend B = cpu,
          Scalar T = float, int Height = 128, int Width = Height>
class PatchGAN {
    static_assert(Layers >= 1, "gan::PatchGAN: at least one strided layer");
    using plan = detail::PatchGANPlan<T, B, Norm, Layers, Channels>;

public:
    using network_type = typename decltype(plan::template layers<0, Shape<InChannels, Height, Width>>())::type;
    using input_shape = typename network_type::input_shape;
    using output_shape = typename network_type::output_shape;
    using input_type = Tensor<T, input_shape, B>;
    using output_type = Tensor<T, output_shape, B>;
    using scalar = T;
    using backend = B;
    using norm = Norm;
    static constexpr int layers = Layers, channels = Channels, in_channels = InChannels;
    static constexpr int height = Height, width = Width;

    // 2,764,609 for the default with 2 input channels, as the reference prints.
    static constexpr long long parameter_count = [] {
        long long n = 0;
        for (int i = 0; i <= Layers; ++i) {
            const int in = i == 0 ? InChannels : plan::width(i - 1), out = plan::width(i);
            n += (long long)in * out * 16 + ((i == 0 || Norm::conv_bias) ? out : 0) + (i > 0 ? Norm::parameters(out) : 0);
        }
        return n + (long long)plan::width(Layers) * 16 + 1;
    }();
    // Convolution FLOPs of one forward pass of one sample (2 per multiply-accumulate).
    static constexpr long long flops = [] {
        long long macs = 0;
        int h = Height, w = Width;
        for (int i = 0; i <= Layers + 1; ++i) {
            const int stride = i < Layers ? 2 : 1;
            const int in = i == 0 ? InChannels : plan::width(i - 1), out = i <= Layers ? plan::width(i) : 1;
            h = (h + 2 - 4) / stride + 1;
            w = (w + 2 - 4) / stride + 1;
            macs += (long long)out * h * w * in * 16;
        }
        return 2 * macs;
    }();

    // Weights are zero until initialised (gan::init_pix2pix) or loaded.
    PatchGAN() : net_(build(std::type_identity<network_type>{})) {}

    void forward(const input_type& x, output_type& y) { net_.forward(x, y); }
    // Accumulates parameter gradients and writes the input gradient (the generator's training
    // signal flows through it).
    void backward(const output_type& dy, input_type& dx) { net_.backward(dy, dx); }
    // The input gradient with the convolutions' weight gradients skipped: for the generator's
    // step, where the discriminator is frozen (the norms still accumulate theirs, which the next
    // discriminator step zeroes). dx equals backward()'s bit for bit.
    void backward_input(const output_type& dy, input_type& dx) { net_.backward_input(dy, dx); }
    // The parameter gradients without the input gradient of the first layer: for the
    // discriminator's own step. dx is left unspecified.
    void backward_parameters(const output_type& dy, input_type& dx) { net_.backward_parameters(dy, dx); }

    template <class F>
    void visit_parameters(F&& f) {
        net_.visit_parameters(prefixed(f));
    }
    template <class F>
    void visit_parameters(F&& f) const {
        net_.visit_parameters(prefixed(f));
    }
    template <class F>
    void visit_buffers(F&& f) {
        net_.visit_buffers(prefixed(f));
    }
    template <class F>
    void visit_buffers(F&& f) const {
        net_.visit_buffers(prefixed(f));
    }
    void zero_grad() { net_.zero_grad(); }
    void train() { net_.train(); }
    void eval() { net_.eval(); }

    static std::string description() {
        return "PatchGAN<" + std::to_string(Layers) + ", " + std::to_string(Channels) + "> " +
               std::to_string(InChannels) + " channels, " + std::to_string(Height) + "x" + std::to_string(Width) + ", " +
               Norm::name + " norm";
    }

private:
    template <class F>
    static auto prefixed(F& f) {
        return [&f](const std::string& name, auto& item) { f("model." + name, item); };
    }
    template <class L>
    static L make_layer() {
        if constexpr (detail::is_leaky_relu<L>::value) return L(kernels::leaky_relu_op<T>(T(0.2)));
        else return L();
    }
    template <class... L>
    static Sequential<L...> build(std::type_identity<Sequential<L...>>) {
        return Sequential<L...>(make_layer<L>()...);
    }

    network_type net_;
};

GAN_NAMESPACE_END

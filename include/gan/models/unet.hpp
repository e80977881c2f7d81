#pragma once
// gan::UNet: the pix2pix U-Net generator (Isola et al. 2017; the reference UnetGenerator of
// junyanz/pytorch-CycleGAN-and-pix2pix, networks.py), layer for layer and name for name.
//
//   gan::UNet<7, 64> generator;           // unet_128: 1 → 1 channels, 128×128, BatchNorm
//   gan::UNet<8, 64, 3, 3> rgb;           // unet_256 for RGB images
//
// Depth is the number of down-samplings (7 for 128×128, 8 for 256×256); Channels is ngf. The
// image size defaults to 2^Depth (a 1×1 bottleneck, as the reference needs) and may be any
// multiple of it. The network is one block template, UNetBlock<Config, Level>, instantiated once
// per level: level 0 is the outermost block, Depth − 1 the innermost.
//
// Each block (outer → inner channels, all convs k4 s2 p1):
//   outermost  x → Conv → [inner blocks] → ReLU → ConvT(+bias) → Tanh
//   middle     x → LeakyReLU(0.2) = a → Conv → Norm → [inner blocks] → ReLU → ConvT → Norm [→ Dropout(0.5)] → cat(a, ·)
//   innermost  x → LeakyReLU(0.2) = a → Conv → ReLU → ConvT → Norm → cat(a, ·)
// The skip carries a = LeakyReLU(x), not x: the reference applies the LeakyReLU in place on the
// block input before concatenating it. Dropout is in the middle blocks whose width is 8·ngf on
// both sides (levels 4 … Depth − 2: two for unet_128, three for unet_256).
#include <algorithm>
#include <cstddef>
#include <string>
#include <type_traits>
#include <vector>

#include "gan/core/random.hpp"
#include "gan/core/scratch.hpp"
#include "gan/core/shape.hpp"
#include "gan/core/tensor.hpp"
#include "gan/kernels/activation.hpp"
#include "gan/kernels/elementwise.hpp"
#include "gan/layers/activation.hpp"
#include "gan/layers/concat.hpp"
#include "gan/layers/conv2d.hpp"
#include "gan/layers/conv_transpose2d.hpp"
#include "gan/layers/dropout.hpp"
#include "gan/models/norm.hpp"

GAN_NAMESPACE_BEGIN

template <Scalar T, Backend B, NormKind Norm, int Depth, int Channels, int InChannels, int OutChannels, int Height,
          int Width>
struct UNetConfig {
    static_assert(Depth >= 1, "gan::UNet: Depth (the number of down-samplings) must be at least 1");
    static_assert(Channels >= 1 && InChannels >= 1 && OutChannels >= 1, "gan::UNet: channel counts must be positive");
    static_assert(Height % (1 << Depth) == 0 && Width % (1 << Depth) == 0,
                  "gan::UNet: the image height and width must be divisible by 2^Depth");
    using scalar = T;
    using backend = B;
    using norm = Norm;
    static constexpr int depth = Depth, channels = Channels, in_channels = InChannels, out_channels = OutChannels;
    static constexpr int height = Height, width = Width;

    // Channels after the down conv of a level: ngf, 2ngf, 4ngf, then 8ngf.
    static constexpr int inner(int level) { return Channels * (1 << std::min(level, 3)); }
    // Channels of a block's input (and of its up conv's output).
    static constexpr int outer(int level) { return level == 0 ? OutChannels : inner(level - 1); }
    static constexpr bool has_dropout(int level) { return level >= 4 && level <= Depth - 2; }
};

// The PyTorch state_dict prefix of a level's block: model.model. for the outermost, then
// submodules at index 1 of the outermost and 3 of every middle block.
inline std::string unet_block_prefix(int level) {
    std::string prefix = "model.model.";
    for (int l = 1; l <= level; ++l) prefix += l == 1 ? "1.model." : "3.model.";
    return prefix;
}

struct NoLayer {};

// How an inference pass treats BatchNorm and Dropout. The default is the reference's test
// protocol (pix2pix's test.py does not call eval()): each batch normalised by its own statistics,
// dropout on. InferenceOptions::eval() is PyTorch's eval(): running statistics, no dropout.
struct InferenceOptions {
    bool batch_statistics = true;
    bool dropout = true;
    static constexpr InferenceOptions reference_test_protocol() { return {true, true}; }
    static constexpr InferenceOptions eval() { return {false, false}; }
};

namespace detail {
template <class Block>
struct block_context {
    using type = typename Block::Context;
};
template <>
struct block_context<NoLayer> {
    using type = NoLayer;
};
}  // namespace detail

template <class Config, int Level>
class UNetBlock {
    using T = typename Config::scalar;
    using B = typename Config::backend;
    using Norm = typename Config::norm;

public:
    static constexpr bool outermost = Level == 0;
    static constexpr bool innermost = Level == Config::depth - 1;
    static constexpr bool middle = !outermost && !innermost;
    static constexpr bool dropout = Config::has_dropout(Level);
    static constexpr int outer = Config::outer(Level), inner = Config::inner(Level);
    static constexpr int height = Config::height >> Level, width = Config::width >> Level;

    using input_shape = Shape<outermost ? Config::in_channels : outer, height, width>;
    using down_shape = Shape<inner, height / 2, width / 2>;
    using sub_block = std::conditional_t<innermost, NoLayer, UNetBlock<Config, Level + 1>>;
    // What the up path receives: the down output itself (innermost) or cat(skip, inner up path).
    using up_input_shape = std::conditional_t<innermost, down_shape, Shape<2 * inner, height / 2, width / 2>>;
    using up_shape = Shape<outer, height, width>;
    using output_shape = std::conditional_t<outermost, up_shape, Shape<2 * outer, height, width>>;
    using input_type = Tensor<T, input_shape, B>;
    using output_type = Tensor<T, output_shape, B>;

    static constexpr bool down_bias = Norm::conv_bias;
    static constexpr bool up_bias = outermost || Norm::conv_bias;

    // Layers, in the order of the reference's nn.Sequential.
    using down_act_type = std::conditional_t<outermost, NoLayer, LeakyReLU<T, input_shape, B>>;
    using down_conv_type = Conv2d<T, input_shape, inner, 4, 2, 1, down_bias, B>;
    using down_norm_type = std::conditional_t<middle, typename Norm::template layer<T, down_shape, B>, NoLayer>;
    using up_act_type = ReLU<T, up_input_shape, B>;
    using up_conv_type = ConvTranspose2d<T, up_input_shape, outer, 4, 2, 1, up_bias, B>;
    using up_norm_type = std::conditional_t<outermost, NoLayer, typename Norm::template layer<T, up_shape, B>>;
    using dropout_type = std::conditional_t<dropout, Dropout<T, up_shape, B>, NoLayer>;
    using tanh_type = std::conditional_t<outermost, Tanh<T, up_shape, B>, NoLayer>;
    using concat_type = std::conditional_t<outermost, NoLayer, Concat<T, input_shape, up_shape, B>>;

    // The activations of one inference pass through this block and the blocks inside it; one
    // per thread lets several threads run the const forward at once.
    struct Context {
        input_type skip;  // LeakyReLU of this block's input, written by the enclosing block
        Tensor<T, down_shape, B> down, normed;
        Tensor<T, up_input_shape, B> up_in;
        Tensor<T, up_shape, B> up, up_normed, up_dropped;
        [[no_unique_address]] typename detail::block_context<sub_block>::type sub;
    };

    explicit UNetBlock(std::uint64_t dropout_seed = 0) : sub_(make_sub(dropout_seed)) {
        if constexpr (!outermost) down_act_ = down_act_type(kernels::leaky_relu_op<T>(T(0.2)));
        // Each dropout layer draws from its own stream, so changing one level leaves the others alone.
        if constexpr (dropout) dropout_ = dropout_type(0.5, Random(dropout_seed, std::uint64_t(Level) << 48));
    }

    void forward(const input_type& x, output_type& y) {
        const input_type* down_in = &x;
        if constexpr (!outermost) {
            activate(down_act_, x, skip_);
            down_in = &skip_;
        }
        down_conv_.forward(*down_in, down_);
        if constexpr (innermost) {
            activate(up_act_, down_, up_in_);
        } else {
            const Tensor<T, down_shape, B>* sub_in = &down_;
            if constexpr (middle) {
                down_norm_.forward(down_, normed_);
                sub_in = &normed_;
            }
            // The inner block concatenates into up_in_, and the ReLU runs there in place (nothing
        // else reads the concatenation: its backward pass needs no values).
            sub_.forward(*sub_in, up_in_);
            activate(up_act_, up_in_, up_in_);
        }
        if constexpr (outermost) {
            up_conv_.forward(up_in_, up_);
            tanh_.forward(up_, y);
        } else {
            up_conv_.forward(up_in_, up_);
            up_norm_.forward(up_, up_normed_);
            if constexpr (dropout) {
                dropout_.forward(up_normed_, up_dropped_);
                concat_.forward(skip_, up_dropped_, y);
            } else {
                concat_.forward(skip_, up_normed_, y);
            }
        }
    }

    // The inference pass: the same computation reading the weights only (see UNet::forward), with
    // each activation written once, where the step after it reads it. The block that normalises a
    // tensor hands it to the inner block activated twice in that one pass (hand_inward): as the
    // LeakyReLU skip the inner block's down conv reads, and as its ReLU in the first half of its
    // own up conv's input, which is where the concatenation lands (ReLU(LeakyReLU(x)) = ReLU(x)).
    // The inner block writes the ReLU of its up path into the second half (forward_inner). So the
    // concatenation copies nothing and no activation takes a pass of its own; with running
    // statistics and no dropout, or with a batch of one, the up path's norm, dropout and ReLU run
    // in the transposed convolution's channel epilogue as well (up_path_by_channel). The same
    // bits as the layer-by-layer pass.
    void forward(const input_type& x, output_type& y, Context& c, Scratch<B>& scratch, const InferenceOptions& options,
                 Random& rng) const
        requires outermost
    {
        fill_up_input(x, c, scratch, options, rng);
        up_conv_.forward(c.up_in, c.up, scratch);
        tanh_.forward(c.up, y, scratch);
    }

    // An inner block's part of the inference pass: `skip` is LeakyReLU of its input and the first
    // half of `activated` (the enclosing block's up conv input) holds ReLU of it; writes the ReLU
    // of this block's up path into the second half.
    void forward_inner(const input_type& skip, output_type& activated, Context& c, Scratch<B>& scratch,
                       const InferenceOptions& options, Random& rng) const
        requires(!outermost)
    {
        fill_up_input(skip, c, scratch, options, rng);
        const auto up_half = concat_type::second(activated);
        const kernels::relu_op<T> relu;  // the enclosing block's up_act
        const bool dropping = dropout && options.dropout;
        if constexpr (std::is_same_v<Norm, BatchNorm>) {
            if ((!options.batch_statistics && !dropping) || c.up_in.batch() == 1) {
                up_path_by_channel(c, up_half, scratch, options.batch_statistics, dropping, rng);
                return;
            }
        }
        up_conv_.forward(c.up_in, c.up, scratch);
        up_norm_.forward(c.up, c.up_normed, scratch, options.batch_statistics);
        const Tensor<T, up_shape, B>* up_out = &c.up_normed;
        if constexpr (dropout) {
            if (dropping) {
                dropout_.forward(c.up_normed, c.up_dropped, scratch, &rng);
                up_out = &c.up_dropped;
            }
        }
        for (std::size_t n = 0; n < up_out->batch(); ++n)
            kernels::activation_forward(B{}, relu, up_out->data() + n * up_shape::size, up_half.sample(n),
                                        up_shape::size);
    }

    // Accumulates parameter gradients; writes dx unless `input_gradient` is false (the image
    // input of the outermost block rarely needs one).
    void backward(const output_type& dy, input_type& dx, bool input_gradient = true) {
        if constexpr (outermost) {
            tanh_.backward(dy, d_up_);
        } else {
            concat_.backward(dy, d_skip_, d_up_normed_);
            if constexpr (dropout) {
                dropout_.backward(d_up_normed_, d_up_dropped_);
                up_norm_.backward(d_up_dropped_, d_up_);
            } else {
                up_norm_.backward(d_up_normed_, d_up_);
            }
        }
        up_conv_.backward(d_up_, d_up_in_);
        activate_backward(up_act_, up_in_, d_up_in_, d_up_in_);  // ReLU's derivative reads its output
        if constexpr (innermost) {
            down_conv_.backward(d_up_in_, d_down_in_);
        } else {
            sub_.backward(d_up_in_, d_sub_in_);
            if constexpr (middle) {
                down_norm_.backward(d_sub_in_, d_down_);
                down_conv_.backward(d_down_, d_down_in_);
            } else if (input_gradient) {
                down_conv_.backward(d_sub_in_, dx);
            } else {
                down_conv_.backward_parameters(d_sub_in_);
            }
        }
        if constexpr (!outermost) {
            // The skip and the down path both used a = LeakyReLU(x): their gradients add.
            kernels::axpy(B{}, T(1), d_skip_.data(), d_down_in_.data(), d_down_in_.size());
            activate_backward(down_act_, skip_, d_down_in_, dx);
        }
    }

    // Visits parameters and buffers with their reference state_dict names
    // ("model.model.1.model.2.running_mean", ...), this block's then the inner blocks'.
    template <class F>
    void visit_parameters(F&& f) {
        visit_named_layers(*this, [&](const char* index, auto& layer) { layer.visit_parameters(named(index, f)); });
        if constexpr (!innermost) sub_.visit_parameters(f);
    }
    template <class F>
    void visit_parameters(F&& f) const {
        visit_named_layers(*this, [&](const char* index, const auto& layer) { layer.visit_parameters(named(index, f)); });
        if constexpr (!innermost) sub_.visit_parameters(f);
    }
    template <class F>
    void visit_buffers(F&& f) {
        visit_named_layers(*this, [&](const char* index, auto& layer) { layer.visit_buffers(named(index, f)); });
        if constexpr (!innermost) sub_.visit_buffers(f);
    }
    template <class F>
    void visit_buffers(F&& f) const {
        visit_named_layers(*this, [&](const char* index, const auto& layer) { layer.visit_buffers(named(index, f)); });
        if constexpr (!innermost) sub_.visit_buffers(f);
    }
    void zero_grad() {
        visit_all([](auto& layer) { layer.zero_grad(); });
    }
    void train() {
        visit_all([](auto& layer) { layer.train(); });
    }
    void eval() {
        visit_all([](auto& layer) { layer.eval(); });
    }
    // Dropout on or off independently of the norms (pix2pix tests with dropout on).
    void enable_dropout(bool on) {
        if constexpr (dropout) dropout_.enable(on);
        if constexpr (!innermost) sub_.enable_dropout(on);
    }
    template <class F>
    void visit_dropout(F&& f) {
        if constexpr (dropout) f(dropout_);
        if constexpr (!innermost) sub_.visit_dropout(f);
    }

    // Counts per sample, at compile time, including the inner blocks.
    static constexpr long long parameter_count() {
        long long n = (long long)input_shape::channels * inner * 16 + (down_bias ? inner : 0);
        if constexpr (middle) n += Norm::parameters(inner);
        n += (long long)up_input_shape::channels * outer * 16 + (up_bias ? outer : 0);
        if constexpr (!outermost) n += Norm::parameters(outer);
        if constexpr (!innermost) n += sub_block::parameter_count();
        return n;
    }
    // Multiply-accumulates of the convolutions, counting padding taps (as ptflops/fvcore do).
    static constexpr long long multiply_accumulates() {
        long long n = (long long)down_shape::size * input_shape::channels * 16;    // conv: out pixels × C_in × k²
        n += (long long)up_input_shape::size * outer * 16;                          // conv-T: in pixels × C_out × k²
        if constexpr (!innermost) n += sub_block::multiply_accumulates();
        return n;
    }

private:
    // The training pass applies its activations through their kernels rather than their layers: a
    // layer keeps a copy of its output for backward, and this block keeps that output anyway
    // (skip_, up_in_). y may be x.
    template <class Activation, class In, class Out>
    static void activate(const Activation& act, const In& x, Out& y) {
        y.resize(x.batch());
        kernels::activation_forward(B{}, act.op(), x.data(), y.data(), x.size());
    }
    // dx may be dy; y is the activation's output.
    template <class Activation, class Values, class Gradient>
    static void activate_backward(const Activation& act, const Values& y, const Gradient& dy, Gradient& dx) {
        dx.resize(dy.batch());
        kernels::activation_backward(B{}, act.op(), y.data(), dy.data(), dx.data(), dy.size());
    }

    // The up path of the inference pass with BatchNorm, a channel at a time in ConvTranspose2d's
    // channel epilogue: each channel normalised, dropped out and activated (the enclosing block's
    // ReLU) in place in `out`, while in the cache of the core that computed it. Running
    // statistics serve any batch; batch statistics and dropout need a batch of one, whose
    // statistics for a channel come from its one plane and whose mask elements depend on their
    // index alone. The bits of the separate passes.
    void up_path_by_channel(Context& c, TensorSlice<T, up_shape, B> out, Scratch<B>& scratch, bool batch_statistics,
                            bool dropping, Random& rng) const
        requires(!outermost)
    {
        const kernels::relu_op<T> relu;
        const auto normalise = [&](std::size_t channel, T* values, const auto& store) {
            if (batch_statistics)
                up_norm_.batch_channel(channel, values, store);
            else
                up_norm_.eval_channel(channel, values, store);
        };
        if constexpr (dropout) {
            if (dropping) {
                const auto drawn = dropout_.reserve_mask(rng, 1);
                up_conv_.forward(c.up_in, out, scratch, [&](std::size_t channel, T* values) {
                    thread_local std::vector<T> mask;
                    mask.resize(up_shape::plane);
                    drawn.draw(channel * up_shape::plane, (channel + 1) * up_shape::plane, mask.data());
                    normalise(channel, values, kernels::store_masked(mask.data(), kernels::store_activated(relu, values)));
                });
                return;
            }
        }
        up_conv_.forward(c.up_in, out, scratch, [&](std::size_t channel, T* values) {
            normalise(channel, values, kernels::store_activated(relu, values));
        });
    }

    // The inference pass from this block's down conv (reading x, or the skip) through the inner
    // blocks to c.up_in, the input of this block's up conv.
    void fill_up_input(const input_type& x, Context& c, Scratch<B>& scratch, const InferenceOptions& options,
                       Random& rng) const {
        down_conv_.forward(x, c.down, scratch);
        if constexpr (innermost) {
            up_act_.forward(c.down, c.up_in, scratch);
        } else {
            hand_inward(c, scratch, options);
            sub_.forward_inner(c.sub.skip, c.up_in, c.sub, scratch, options, rng);
        }
    }

    // Hands the inner block its input n (this block's down output, normalised in the middle
    // blocks) in one pass: LeakyReLU(n) as the inner block's skip, ReLU(n) into the first half of
    // up_in. With running statistics the norm runs in the same pass.
    void hand_inward(Context& c, Scratch<B>& scratch, const InferenceOptions& options) const
        requires(!innermost)
    {
        constexpr std::size_t plane = down_shape::plane, channels = down_shape::channels;
        const std::size_t batch = c.down.batch();
        c.sub.skip.resize(batch);
        c.up_in.resize(batch);
        const auto relu_half = sub_block::concat_type::first(c.up_in);
        const auto write = [&](const auto& values) {
            kernels::activation_pair_forward<T>(
                B{}, batch * channels, values, sub_.down_act_.op(),
                [&](std::size_t p) { return c.sub.skip.data() + p * plane; }, kernels::relu_op<T>(),
                [&](std::size_t p) { return relu_half.sample(p / channels) + p % channels * plane; });
        };
        if constexpr (middle) {
            if constexpr (std::is_same_v<Norm, BatchNorm>) {
                // Batch statistics of a batch of one come from each channel's one plane (p = channel).
                if (!options.batch_statistics || batch == 1) {
                    write([&](std::size_t p, const auto& emit) {
                        const T* x = c.down.data() + p * plane;
                        if (options.batch_statistics)
                            down_norm_.batch_channel(p, x, emit);
                        else
                            down_norm_.eval_channel(p % channels, x, emit);
                    });
                    return;
                }
            }
            down_norm_.forward(c.down, c.normed, scratch, options.batch_statistics);
            write(kernels::plane_reader<T>{c.normed.data(), plane});
        } else {
            write(kernels::plane_reader<T>{c.down.data(), plane});
        }
    }

    static sub_block make_sub(std::uint64_t seed) {
        if constexpr (innermost) return {};
        else return sub_block(seed);
    }

    template <class F>
    static auto named(const char* index, F& f) {
        return [prefix = unet_block_prefix(Level) + index + ".", &f](const std::string& name, auto& item) {
            f(prefix + name, item);
        };
    }
    // The layers that own state, under their index in the reference's nn.Sequential.
    template <class Self, class F>
    static void visit_named_layers(Self& self, F&& f) {
        if constexpr (outermost) {
            f("0", self.down_conv_);
            f("3", self.up_conv_);
        } else if constexpr (middle) {
            f("1", self.down_conv_);
            f("2", self.down_norm_);
            f("5", self.up_conv_);
            f("6", self.up_norm_);
        } else {
            f("1", self.down_conv_);
            f("3", self.up_conv_);
            f("4", self.up_norm_);
        }
    }
    template <class F>
    void visit_all(F&& f) {
        if constexpr (!outermost) f(down_act_);
        f(down_conv_);
        if constexpr (middle) f(down_norm_);
        if constexpr (!innermost) sub_.visit_all(f);
        f(up_act_);
        f(up_conv_);
        if constexpr (!outermost) f(up_norm_);
        if constexpr (dropout) f(dropout_);
        if constexpr (outermost) f(tanh_);
    }
    template <class, int>
    friend class UNetBlock;

    [[no_unique_address]] down_act_type down_act_;
    down_conv_type down_conv_;
    [[no_unique_address]] down_norm_type down_norm_;
    [[no_unique_address]] sub_block sub_;
    up_act_type up_act_;
    up_conv_type up_conv_;
    [[no_unique_address]] up_norm_type up_norm_;
    [[no_unique_address]] dropout_type dropout_;
    [[no_unique_address]] tanh_type tanh_;
    [[no_unique_address]] concat_type concat_;

    // Activations of the last forward pass and gradients of the last backward pass.
    input_type skip_;                                  // a = LeakyReLU(x)
    Tensor<T, down_shape, B> down_, normed_;
    Tensor<T, up_input_shape, B> up_in_;
    Tensor<T, up_shape, B> up_, up_normed_, up_dropped_;
    input_type d_skip_, d_down_in_;
    Tensor<T, down_shape, B> d_down_, d_sub_in_;
    Tensor<T, up_input_shape, B> d_up_in_;
    Tensor<T, up_shape, B> d_up_, d_up_normed_, d_up_dropped_;
};

GAN_NAMESPACE_END

GAN_NAMESPACE_BEGIN

template <int Depth, int Channels, int InChannels = 1, int OutChannels = 1, NormKind Norm = BatchNorm,
          Backend B = cpu, Scalar T = float, int Height = (1 << Depth), int Width = Height>
class UNet {
public:
    using config = UNetConfig<T, B, Norm, Depth, Channels, InChannels, OutChannels, Height, Width>;
    using block_type = UNetBlock<config, 0>;
    using input_shape = typename block_type::input_shape;
    using output_shape = typename block_type::output_shape;
    using input_type = Tensor<T, input_shape, B>;
    using output_type = Tensor<T, output_shape, B>;
    using scalar = T;
    using backend = B;
    using norm = Norm;
    static constexpr int depth = Depth, channels = Channels, in_channels = InChannels, out_channels = OutChannels;
    static constexpr int height = Height, width = Width;

    // Matches the reference: 41,822,849 for UNet<7, 64> (1 → 1 channels), 54,407,809 for UNet<8, 64>.
    static constexpr long long parameter_count = block_type::parameter_count();
    // Convolution FLOPs (2 per multiply-accumulate, padding taps counted) of one forward pass of
    // one sample: 2.961 GFLOP for UNet<7, 64>.
    static constexpr long long flops = 2 * block_type::multiply_accumulates();

    // Weights are zero until initialised (gan::init_pix2pix, or loaded from a model file);
    // `seed` seeds the dropout masks.
    explicit UNet(std::uint64_t seed = 0) : root_(seed) {}

    void forward(const input_type& x, output_type& y) { root_.forward(x, y); }
    // What one thread needs for inference: the activations, the kernels' workspace, and the
    // stream its dropout masks come from.
    struct InferenceContext {
        explicit InferenceContext(std::uint64_t dropout_seed = 0) : dropout(dropout_seed) {}
        typename block_type::Context activations;
        Scratch<B> scratch;
        Random dropout;
    };

    // Inference that reads the weights only: safe to call from several threads at once, each
    // with its own context; any batch size. Nothing is kept for backward and no running
    // statistics change. With the same context seed the results are reproducible.
    void forward(const input_type& x, output_type& y, InferenceContext& context,
                 const InferenceOptions& options = InferenceOptions::reference_test_protocol()) const {
        context.scratch.reset();
        root_.forward(x, y, context.activations, context.scratch, options, context.dropout);
    }

    // Back-propagates an output gradient computed elsewhere (a loss of the caller's own, say):
    // accumulates every parameter gradient; dx is the gradient of the input image.
    void backward(const output_type& dy, input_type& dx) { root_.backward(dy, dx, true); }
    // The same without the input gradient, which training never needs.
    void backward(const output_type& dy) { root_.backward(dy, unused_input_gradient_, false); }

    template <class F>
    void visit_parameters(F&& f) {
        root_.visit_parameters(f);
    }
    template <class F>
    void visit_parameters(F&& f) const {
        root_.visit_parameters(f);
    }
    template <class F>
    void visit_buffers(F&& f) {
        root_.visit_buffers(f);
    }
    template <class F>
    void visit_buffers(F&& f) const {
        root_.visit_buffers(f);
    }
    template <class F>
    void visit_dropout(F&& f) {
        root_.visit_dropout(f);
    }
    void zero_grad() { root_.zero_grad(); }
    // Training mode: batch statistics and dropout. Evaluation mode: running statistics, no dropout.
    void train() { root_.train(); }
    void eval() { root_.eval(); }
    // pix2pix's test protocol is train() (batch statistics, dropout on); enable_dropout(false)
    // after train() gives batch statistics without dropout, and so on.
    void enable_dropout(bool on) { root_.enable_dropout(on); }

    // "UNet<7, 64> 1→1 channels, 128×128, batch norm": how messages and model files name it.
    static std::string description() {
        return "UNet<" + std::to_string(Depth) + ", " + std::to_string(Channels) + "> " + std::to_string(InChannels) +
               "->" + std::to_string(OutChannels) + " channels, " + std::to_string(Height) + "x" +
               std::to_string(Width) + ", " + Norm::name + " norm";
    }

private:
    block_type root_;
    input_type unused_input_gradient_;
};

GAN_NAMESPACE_END

// One block of each U-Net kind, assembled from the layers exactly as pix2pix's
// UnetSkipConnectionBlock (networks.py), against PyTorch: outermost, middle, middle with dropout
// (PyTorch's mask passed in) and innermost, batch 1 in training mode. The outer blocks wrap an
// innermost block, so the fixtures are small U-Nets. The skip carries LeakyReLU(x) — PyTorch's
// in-place LeakyReLU modifies x before the concatenation — and its gradient flows through the
// LeakyReLU as well.
#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include <gan/kernels/elementwise.hpp>
#include <gan/layers/activation.hpp>
#include <gan/layers/batch_norm2d.hpp>
#include <gan/layers/concat.hpp>
#include <gan/layers/conv2d.hpp>
#include <gan/layers/conv_transpose2d.hpp>
#include <gan/layers/dropout.hpp>

#include "fixture.hpp"

using gan::Shape;
using gan::Tensor;
using gan_test::Fixture;

namespace {

template <class F>
auto prefixed(std::string_view prefix, F& f) {
    return [prefix, &f](std::string_view name, auto& p) { f(std::string(prefix) + std::string(name), p); };
}

template <class S>
void add_into(Tensor<float, S>& sum, const Tensor<float, S>& x) {
    gan::kernels::axpy(gan::cpu{}, 1.0f, x.data(), sum.data(), sum.size());
}

// [LeakyReLU(0.2) → Conv2d → ReLU → ConvTranspose2d → BatchNorm2d], concatenated to LeakyReLU(x).
template <int Outer, int Inner, int H>
struct Innermost {
    using In = Shape<Outer, H, H>;
    using Mid = Shape<Inner, H / 2, H / 2>;
    using input_type = Tensor<float, In>;
    using output_type = Tensor<float, Shape<2 * Outer, H, H>>;

    gan::LeakyReLU<float, In> down_relu{0.2f};
    gan::Conv2d<float, In, Inner, 4, 2, 1, false> down_conv;
    gan::ReLU<float, Mid> up_relu;
    gan::ConvTranspose2d<float, Mid, Outer, 4, 2, 1, false> up_conv;
    gan::BatchNorm2d<float, In> up_norm;
    gan::Concat<float, In, In> cat;
    Tensor<float, In> skip, up, normed, d_skip, d_normed, d_up, d_skip_down;
    Tensor<float, Mid> down, relu, d_down, d_relu;

    void forward(const input_type& x, output_type& y) {
        down_relu.forward(x, skip);
        down_conv.forward(skip, down);
        up_relu.forward(down, relu);
        up_conv.forward(relu, up);
        up_norm.forward(up, normed);
        cat.forward(skip, normed, y);
    }
    void backward(const output_type& dy, input_type& dx) {
        cat.backward(dy, d_skip, d_normed);
        up_norm.backward(d_normed, d_up);
        up_conv.backward(d_up, d_relu);
        up_relu.backward(d_relu, d_down);
        down_conv.backward(d_down, d_skip_down);
        add_into(d_skip_down, d_skip);  // LeakyReLU(x) feeds the conv and the skip
        down_relu.backward(d_skip_down, dx);
    }
    template <class F>
    void visit_parameters(F&& f) {
        down_conv.visit_parameters(prefixed("model.1.", f));
        up_conv.visit_parameters(prefixed("model.3.", f));
        up_norm.visit_parameters(prefixed("model.4.", f));
    }
    template <class F>
    void visit_buffers(F&& f) {
        up_norm.visit_buffers(prefixed("model.4.", f));
    }
};

// [LeakyReLU(0.2) → Conv2d → BatchNorm2d → innermost → ReLU → ConvTranspose2d → BatchNorm2d
// (→ Dropout)], concatenated to LeakyReLU(x).
template <int Outer, int Inner, int H, bool WithDropout>
struct Middle {
    using In = Shape<Outer, H, H>;
    using Mid = Shape<Inner, H / 2, H / 2>;
    using Sub = Innermost<Inner, Inner, H / 2>;
    using SubOut = Shape<2 * Inner, H / 2, H / 2>;
    using input_type = Tensor<float, In>;
    using output_type = Tensor<float, Shape<2 * Outer, H, H>>;

    gan::LeakyReLU<float, In> down_relu{0.2f};
    gan::Conv2d<float, In, Inner, 4, 2, 1, false> down_conv;
    gan::BatchNorm2d<float, Mid> down_norm;
    Sub sub;
    gan::ReLU<float, SubOut> up_relu;
    gan::ConvTranspose2d<float, SubOut, Outer, 4, 2, 1, false> up_conv;
    gan::BatchNorm2d<float, In> up_norm;
    gan::Dropout<float, In> dropout{0.5};
    gan::Concat<float, In, In> cat;
    Tensor<float, In> skip, up, normed, dropped, d_skip, d_dropped, d_normed, d_up, d_skip_down;
    Tensor<float, Mid> down, down_normed, d_down, d_down_normed;
    Tensor<float, SubOut> inner, relu, d_inner, d_relu;

    void forward(const input_type& x, output_type& y) {
        down_relu.forward(x, skip);
        down_conv.forward(skip, down);
        down_norm.forward(down, down_normed);
        sub.forward(down_normed, inner);
        up_relu.forward(inner, relu);
        up_conv.forward(relu, up);
        up_norm.forward(up, normed);
        if constexpr (WithDropout) {
            dropout.forward(normed, dropped);
            cat.forward(skip, dropped, y);
        } else {
            cat.forward(skip, normed, y);
        }
    }
    void backward(const output_type& dy, input_type& dx) {
        if constexpr (WithDropout) {
            cat.backward(dy, d_skip, d_dropped);
            dropout.backward(d_dropped, d_normed);
        } else {
            cat.backward(dy, d_skip, d_normed);
        }
        up_norm.backward(d_normed, d_up);
        up_conv.backward(d_up, d_relu);
        up_relu.backward(d_relu, d_inner);
        sub.backward(d_inner, d_down_normed);
        down_norm.backward(d_down_normed, d_down);
        down_conv.backward(d_down, d_skip_down);
        add_into(d_skip_down, d_skip);
        down_relu.backward(d_skip_down, dx);
    }
    template <class F>
    void visit_parameters(F&& f) {
        down_conv.visit_parameters(prefixed("model.1.", f));
        down_norm.visit_parameters(prefixed("model.2.", f));
        sub.visit_parameters(prefixed("model.3.", f));
        up_conv.visit_parameters(prefixed("model.5.", f));
        up_norm.visit_parameters(prefixed("model.6.", f));
    }
    template <class F>
    void visit_buffers(F&& f) {
        down_norm.visit_buffers(prefixed("model.2.", f));
        sub.visit_buffers(prefixed("model.3.", f));
        up_norm.visit_buffers(prefixed("model.6.", f));
    }
};

// [Conv2d → innermost → ReLU → ConvTranspose2d (with bias) → Tanh], no concatenation.
template <int Output, int Inner, int Input, int H>
struct Outermost {
    using In = Shape<Input, H, H>;
    using Mid = Shape<Inner, H / 2, H / 2>;
    using Sub = Innermost<Inner, Inner, H / 2>;
    using SubOut = Shape<2 * Inner, H / 2, H / 2>;
    using Out = Shape<Output, H, H>;
    using input_type = Tensor<float, In>;
    using output_type = Tensor<float, Out>;

    gan::Conv2d<float, In, Inner, 4, 2, 1, false> down_conv;
    Sub sub;
    gan::ReLU<float, SubOut> up_relu;
    gan::ConvTranspose2d<float, SubOut, Output, 4, 2, 1, true> up_conv;
    gan::Tanh<float, Out> tanh;
    Tensor<float, Mid> down, d_down;
    Tensor<float, SubOut> inner, relu, d_inner, d_relu;
    Tensor<float, Out> up, d_up;

    void forward(const input_type& x, output_type& y) {
        down_conv.forward(x, down);
        sub.forward(down, inner);
        up_relu.forward(inner, relu);
        up_conv.forward(relu, up);
        tanh.forward(up, y);
    }
    void backward(const output_type& dy, input_type& dx) {
        tanh.backward(dy, d_up);
        up_conv.backward(d_up, d_relu);
        up_relu.backward(d_relu, d_inner);
        sub.backward(d_inner, d_down);
        down_conv.backward(d_down, dx);
    }
    template <class F>
    void visit_parameters(F&& f) {
        down_conv.visit_parameters(prefixed("model.0.", f));
        sub.visit_parameters(prefixed("model.1.", f));
        up_conv.visit_parameters(prefixed("model.3.", f));
    }
    template <class F>
    void visit_buffers(F&& f) {
        sub.visit_buffers(prefixed("model.1.", f));
    }
};

template <class Block>
void check_block(Block& block, const std::string& fixture_name) {
    INFO("fixture ", fixture_name);
    const Fixture f(fixture_name);
    typename Block::input_type x, dx;
    typename Block::output_type y, dy;
    f.load("x", x);
    f.load("dy", dy);
    f.load_parameters(block, "");
    block.forward(x, y);
    block.backward(dy, dx);
    f.expect("y", y);
    f.expect("dx", dx);
    f.expect_gradients_and_buffers(block, "");
}

}  // namespace

TEST_CASE("U-Net innermost block matches PyTorch") {
    Innermost<8, 8, 2> block;
    check_block(block, "unet_innermost");
}

TEST_CASE("U-Net middle block matches PyTorch") {
    Middle<4, 8, 4, false> block;
    check_block(block, "unet_middle");
}

TEST_CASE("U-Net middle block with dropout matches PyTorch") {
    Middle<4, 8, 4, true> block;
    Tensor<float, Shape<4, 4, 4>> mask;
    Fixture("unet_middle_dropout").load("mask", mask);
    block.dropout.set_mask(mask);
    check_block(block, "unet_middle_dropout");
}

TEST_CASE("U-Net outermost block matches PyTorch") {
    Outermost<1, 4, 2, 4> block;
    check_block(block, "unet_outermost");
}

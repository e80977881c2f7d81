// Every layer against PyTorch 1.13 (fixtures from tools/reference/make_fixtures.py): outputs,
// input gradients, parameter gradients and buffers, relative error < 1e-5 in float32.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <utility>

#include <gan/core/scratch.hpp>
#include <gan/layers/activation.hpp>
#include <gan/layers/batch_norm2d.hpp>
#include <gan/layers/conv2d.hpp>
#include <gan/layers/conv_transpose2d.hpp>
#include <gan/layers/dropout.hpp>
#include <gan/layers/instance_norm2d.hpp>

#include "fixture.hpp"

using gan::Shape;
using gan_test::Fixture;

namespace {

// Loads x, parameters and dy; runs forward and backward; compares y, dx, gradients, buffers.
template <class Layer>
void check_parity(Layer& layer, const std::string& fixture_name) {
    INFO("fixture ", fixture_name);
    const Fixture f(fixture_name);
    typename Layer::input_type x, dx;
    typename Layer::output_type y, dy;
    f.load("x", x);
    f.load("dy", dy);
    f.load_parameters(layer, "");
    layer.forward(x, y);
    layer.backward(dy, dx);
    f.expect("y", y);
    f.expect("dx", dx);
    f.expect_gradients_and_buffers(layer, "");
}

// A convolution's const (inference) pass gives the training forward's bits, also where both
// leave out the kernel taps that meet only padding (kernels::without_dead_taps).
template <class Layer>
void check_parity_and_const_pass(Layer& layer, const std::string& fixture_name) {
    check_parity(layer, fixture_name);
    const Fixture f(fixture_name);
    typename Layer::input_type x;
    typename Layer::output_type y, y_const;
    f.load("x", x);
    layer.forward(x, y);
    gan::Scratch<gan::cpu> scratch;
    std::as_const(layer).forward(x, y_const, scratch);
    REQUIRE(y_const.size() == y.size());
    CHECK(std::equal(y.data(), y.data() + y.size(), y_const.data()));
}

}  // namespace

TEST_CASE("Conv2d matches PyTorch") {
    SUBCASE("k4 s2 p1 with bias, odd height") {
        gan::Conv2d<float, Shape<3, 9, 8>, 4, 4, 2, 1, true> conv;
        check_parity_and_const_pass(conv, "conv2d_k4s2p1_bias");
    }
    SUBCASE("k4 s1 p1 without bias (PatchGAN's last layers)") {
        gan::Conv2d<float, Shape<4, 5, 5>, 2, 4, 1, 1, false> conv;
        check_parity_and_const_pass(conv, "conv2d_k4s1p1_nobias");
    }
    SUBCASE("2x2 input (the innermost down-conv: 12 of the 16 taps meet only padding)") {
        gan::Conv2d<float, Shape<6, 2, 2>, 4, 4, 2, 1, false> conv;
        static_assert(gan::kernels::without_dead_taps(decltype(conv)::geometry()).kernel == 2);
        check_parity_and_const_pass(conv, "conv2d_2x2_nobias");
    }
    SUBCASE("3x3 input with bias (the first row and column of taps meet only padding)") {
        gan::Conv2d<float, Shape<3, 3, 3>, 2, 4, 2, 1, true> conv;
        static_assert(gan::kernels::without_dead_taps(decltype(conv)::geometry()).kernel == 3);
        check_parity_and_const_pass(conv, "conv2d_3x3_bias");
    }
    SUBCASE("one output channel, stride 1, batch 2 (PatchGAN's last layer, computed directly)") {
        gan::Conv2d<float, Shape<5, 6, 7>, 1, 4, 1, 1, true> conv;
        check_parity_and_const_pass(conv, "conv2d_one_output_bias");
    }
    SUBCASE("one output channel, stride 2, odd height (im2col and the GEMM's path for one-row products)") {
        gan::Conv2d<float, Shape<3, 7, 6>, 1, 4, 2, 1, false> conv;
        check_parity_and_const_pass(conv, "conv2d_one_output_s2_nobias");
    }
}

TEST_CASE("ConvTranspose2d matches PyTorch") {
    SUBCASE("k4 s2 p1 with bias") {
        gan::ConvTranspose2d<float, Shape<4, 3, 5>, 3, 4, 2, 1, true> up;
        check_parity_and_const_pass(up, "conv_transpose2d_k4s2p1_bias");
    }
    SUBCASE("1x1 input without bias (the innermost up-conv)") {
        gan::ConvTranspose2d<float, Shape<6, 1, 1>, 4, 4, 2, 1, false> up;
        static_assert(gan::kernels::without_dead_taps(decltype(up)::geometry()).kernel == 2);
        check_parity_and_const_pass(up, "conv_transpose2d_1x1_nobias");
    }
}

TEST_CASE("BatchNorm2d matches PyTorch") {
    SUBCASE("training mode, running statistics updated") {
        gan::BatchNorm2d<float, Shape<3, 4, 5>> bn;
        check_parity(bn, "batch_norm2d_train");
        CHECK(bn.num_batches_tracked() == 1);
    }
    SUBCASE("training mode, batch 1") {
        gan::BatchNorm2d<float, Shape<3, 4, 4>> bn;
        check_parity(bn, "batch_norm2d_train_batch1");
    }
    SUBCASE("evaluation mode") {
        gan::BatchNorm2d<float, Shape<3, 3, 3>> bn;
        const Fixture f("batch_norm2d_eval");
        f.load("buffer.running_mean", bn.running_mean());
        f.load("buffer.running_var", bn.running_var());
        bn.eval();
        check_parity(bn, "batch_norm2d_eval");
        CHECK(bn.num_batches_tracked() == 0);
    }
}

TEST_CASE("InstanceNorm2d matches PyTorch") {
    gan::InstanceNorm2d<float, Shape<3, 4, 5>> in;
    check_parity(in, "instance_norm2d");
}

TEST_CASE("activations match PyTorch") {
    using S = Shape<3, 4, 5>;
    SUBCASE("LeakyReLU(0.2)") {
        gan::LeakyReLU<float, S> layer{0.2f};
        check_parity(layer, "leaky_relu");
    }
    SUBCASE("ReLU") {
        gan::ReLU<float, S> layer;
        check_parity(layer, "relu");
    }
    SUBCASE("Tanh") {
        gan::Tanh<float, S> layer;
        check_parity(layer, "tanh");
    }
    SUBCASE("Sigmoid") {
        gan::Sigmoid<float, S> layer;
        check_parity(layer, "sigmoid");
    }
}

TEST_CASE("Dropout with PyTorch's mask matches PyTorch") {
    using S = Shape<3, 4, 5>;
    gan::Dropout<float, S> dropout(0.5);
    gan::Tensor<float, S> mask;
    Fixture("dropout").load("mask", mask);
    dropout.set_mask(mask);
    check_parity(dropout, "dropout");
}

// Every layer against PyTorch 1.13 (fixtures from tools/reference/make_fixtures.py): outputs,
// input gradients, parameter gradients and buffers, relative error < 1e-5 in float32.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include <gan/core/init.hpp>
#include <gan/core/random.hpp>
#include <gan/core/scratch.hpp>
#include <gan/core/tensor_slice.hpp>
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

// The inference pass through a slice of a larger tensor, as the U-Net writes into its
// concatenations: every channel of every sample finished exactly once, bias included, and nothing
// outside the slice touched.
template <class Layer>
void check_pass_through_slice(std::size_t batch) {
    using S = typename Layer::output_shape;
    using Whole = Shape<S::channels + 2, S::height, S::width>;
    Layer layer;
    gan::Random rng(31);
    layer.reset_parameters(rng);
    typename Layer::input_type x(batch);
    gan::fill_uniform(x, -1, 1, rng);
    gan::Scratch<gan::cpu> scratch;
    typename Layer::output_type plain;
    std::as_const(layer).forward(x, plain, scratch);

    gan::Tensor<float, Whole> whole(batch);
    std::fill(whole.data(), whole.data() + whole.size(), 7.0f);
    const auto slice = gan::TensorSlice<float, S>::template at<2 * S::plane>(whole);
    std::vector<int> finished(S::channels, 0);
    std::as_const(layer).forward(x, slice, scratch, [&](std::size_t c, float* values) {
        ++finished[c];  // channels of one sample may finish on different threads, but never twice
        for (std::size_t i = 0; i < S::plane; ++i) values[i] *= 2.0f;
    });
    CHECK(finished == std::vector<int>(S::channels, int(batch)));
    for (std::size_t n = 0; n < batch; ++n) {
        const float* sample = whole.data() + n * Whole::size;
        CHECK(std::all_of(sample, sample + 2 * S::plane, [](float v) { return v == 7.0f; }));
        for (std::size_t i = 0; i < S::size; ++i)
            REQUIRE(sample[2 * S::plane + i] == 2.0f * plain.data()[n * S::size + i]);
    }
}

TEST_CASE("ConvTranspose2d's inference pass writes through a slice and finishes each channel once") {
    SUBCASE("15 input pixels with bias: the product split by channels") {
        check_pass_through_slice<gan::ConvTranspose2d<float, Shape<4, 3, 5>, 3, 4, 2, 1, true>>(2);
    }
    SUBCASE("1x1 input: the streaming kernel, then col2im") {
        check_pass_through_slice<gan::ConvTranspose2d<float, Shape<6, 1, 1>, 4, 4, 2, 1, true>>(3);
    }
    SUBCASE("a slice of another batch size is refused") {
        gan::ConvTranspose2d<float, Shape<4, 3, 5>, 3, 4, 2, 1, true> up;
        decltype(up)::input_type x(2);
        decltype(up)::output_type y(1);
        gan::Scratch<gan::cpu> scratch;
        CHECK_THROWS_AS(std::as_const(up).forward(x, gan::TensorSlice<float, decltype(up)::output_shape>(y), scratch,
                                                  [](std::size_t, float*) {}),
                        gan::shape_error);
    }
}

TEST_CASE("BatchNorm2d's eval_channel hands on the bits of its eval-mode forward") {
    gan::BatchNorm2d<float, Shape<3, 5, 7>, gan::kernels::leaky_relu_op<float>> bn{0.2f};
    gan::Random rng(37);
    gan::fill_uniform(bn.running_mean().data(), 3, -1, 1, rng);
    gan::fill_uniform(bn.running_var().data(), 3, 0.5, 2, rng);
    gan::fill_uniform(bn.weight().value().data(), 3, -1, 1, rng);
    gan::fill_uniform(bn.bias().value().data(), 3, -1, 1, rng);
    bn.eval();
    decltype(bn)::input_type x(2), y;
    gan::fill_uniform(x, -3, 3, rng);
    bn.forward(x, y);
    std::vector<float> handed(y.size(), 0.0f);
    for (std::size_t n = 0; n < 2; ++n)
        for (std::size_t c = 0; c < 3; ++c) {
            const std::size_t at = (n * 3 + c) * 35;
            bn.eval_channel(c, x.data() + at,
                            gan::kernels::store_activated(gan::kernels::identity_op<float>(), handed.data() + at));
        }
    CHECK(handed == std::vector<float>(y.data(), y.data() + y.size()));
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

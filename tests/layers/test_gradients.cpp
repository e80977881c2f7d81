// Every layer's backward pass against central finite differences in double precision,
// including the awkward geometries: stride/padding borders, odd sizes, 1×1 planes, batch 1.
#include <doctest/doctest.h>

#include <gan/layers/activation.hpp>
#include <gan/layers/batch_norm2d.hpp>
#include <gan/layers/concat.hpp>
#include <gan/layers/conv2d.hpp>
#include <gan/layers/conv_transpose2d.hpp>
#include <gan/layers/dropout.hpp>
#include <gan/layers/instance_norm2d.hpp>

#include "gradcheck.hpp"

using gan::Shape;
using gan_test::check_gradients;

TEST_CASE("Conv2d gradients: stride 2, padding 1, odd sizes, bias") {
    gan::Conv2d<double, Shape<3, 7, 6>, 4, 3, 2, 1, true> conv;
    check_gradients(conv, 2);
}

TEST_CASE("Conv2d gradients: pix2pix 4x4 stride 2 without bias, batch 1") {
    gan::Conv2d<double, Shape<2, 6, 6>, 3, 4, 2, 1, false> conv;
    check_gradients(conv, 1);
}

TEST_CASE("Conv2d gradients: 2x2 input to 1x1 (the innermost down-conv, mostly padding)") {
    gan::Conv2d<double, Shape<3, 2, 2>, 2, 4, 2, 1, false> conv;
    check_gradients(conv, 2);
}

TEST_CASE("Conv2d gradients: stride 1 (PatchGAN's last layers), no padding, even kernel") {
    gan::Conv2d<double, Shape<2, 5, 4>, 3, 2, 1, 0, true> conv;
    check_gradients(conv, 3);
}

TEST_CASE("Conv2d gradients: one output channel, at stride 1 (computed directly) and stride 2 (as im2col + GEMM)") {
    SUBCASE("k4 s1 p1 with bias, batch 2 (PatchGAN's last layer)") {
        gan::Conv2d<double, Shape<3, 5, 6>, 1, 4, 1, 1, true> conv;
        check_gradients(conv, 2);
    }
    SUBCASE("k3 s2 p1 without bias, odd sizes") {
        gan::Conv2d<double, Shape<2, 7, 5>, 1, 3, 2, 1, false> conv;
        check_gradients(conv, 1);
    }
}

TEST_CASE("ConvTranspose2d gradients: 4x4 stride 2 padding 1, odd sizes, bias") {
    gan::ConvTranspose2d<double, Shape<3, 3, 5>, 2, 4, 2, 1, true> up;
    check_gradients(up, 2);
}

TEST_CASE("ConvTranspose2d gradients: 1x1 input (the innermost up-conv), no bias") {
    gan::ConvTranspose2d<double, Shape<4, 1, 1>, 3, 4, 2, 1, false> up;
    check_gradients(up, 1);
}

TEST_CASE("ConvTranspose2d gradients: stride 3, kernel 3, no padding") {
    gan::ConvTranspose2d<double, Shape<2, 2, 3>, 2, 3, 3, 0, true> up;
    check_gradients(up, 2);
}

TEST_CASE("BatchNorm2d gradients in training mode, batch 1 and batch 3") {
    gan::BatchNorm2d<double, Shape<3, 3, 4>> bn;
    SUBCASE("batch 1") { check_gradients(bn, 1); }
    SUBCASE("batch 3") { check_gradients(bn, 3); }
    SUBCASE("1x1 planes, batch 4") {
        gan::BatchNorm2d<double, Shape<2, 1, 1>> bottleneck;
        check_gradients(bottleneck, 4);
    }
}

TEST_CASE("BatchNorm2d gradients in evaluation mode") {
    gan::BatchNorm2d<double, Shape<3, 2, 5>> bn;
    // Non-trivial running statistics first.
    gan::Tensor<double, Shape<3, 2, 5>> x(2), y;
    gan::Random rng(7);
    gan::fill_normal(x, 1.0, 2.0, rng);
    bn.forward(x, y);
    bn.eval();
    check_gradients(bn, 2);
}

TEST_CASE("BatchNorm2d fused with LeakyReLU and ReLU") {
    SUBCASE("LeakyReLU(0.2)") {
        gan::BatchNorm2d<double, Shape<2, 3, 3>, gan::kernels::leaky_relu_op<double>> bn{0.2};
        check_gradients(bn, 2);
    }
    SUBCASE("ReLU, batch 1") {
        gan::BatchNorm2d<double, Shape<2, 3, 3>, gan::kernels::relu_op<double>> bn;
        check_gradients(bn, 1);
    }
}

TEST_CASE("InstanceNorm2d gradients, plain and fused with ReLU") {
    SUBCASE("plain") {
        gan::InstanceNorm2d<double, Shape<3, 3, 5>> in;
        check_gradients(in, 2);
    }
    SUBCASE("ReLU") {
        gan::InstanceNorm2d<double, Shape<2, 4, 3>, gan::kernels::relu_op<double>> in;
        check_gradients(in, 1);
    }
}

TEST_CASE("activation gradients") {
    using S = Shape<3, 5, 7>;  // 105 elements: full vectors and a partial one
    SUBCASE("ReLU") {
        gan::ReLU<double, S> layer;
        check_gradients(layer, 2);
    }
    SUBCASE("LeakyReLU(0.2)") {
        gan::LeakyReLU<double, S> layer{0.2};
        check_gradients(layer, 2);
    }
    SUBCASE("Tanh") {
        gan::Tanh<double, S> layer;
        check_gradients(layer, 2);
    }
    SUBCASE("Sigmoid") {
        gan::Sigmoid<double, S> layer;
        check_gradients(layer, 2);
    }
}

TEST_CASE("Dropout gradients with a fixed mask") {
    using S = Shape<2, 3, 5>;
    gan::Dropout<double, S> dropout(0.5);
    gan::Tensor<double, S> mask(2);
    for (std::size_t i = 0; i < mask.size(); ++i) mask[i] = (i * 7 % 3 == 0) ? 0.0 : 2.0;
    dropout.set_mask(mask);
    check_gradients(dropout, 2);
}

// Concat has two inputs, so it gets its own check: the split of the gradient is exact.
TEST_CASE("Concat splits the gradient exactly") {
    gan::Concat<double, Shape<2, 3, 3>, Shape<1, 3, 3>> cat;
    gan::Tensor<double, Shape<2, 3, 3>> a(2), da;
    gan::Tensor<double, Shape<1, 3, 3>> b(2), db;
    gan::Tensor<double, Shape<3, 3, 3>> y, dy(2);
    gan::Random rng(3);
    gan::fill_normal(a, 0, 1, rng);
    gan::fill_normal(b, 0, 1, rng);
    gan::fill_normal(dy, 0, 1, rng);
    cat.forward(a, b, y);
    for (std::size_t n = 0; n < 2; ++n)
        for (int h = 0; h < 3; ++h)
            for (int w = 0; w < 3; ++w) {
                CHECK(y(n, 0, h, w) == a(n, 0, h, w));
                CHECK(y(n, 1, h, w) == a(n, 1, h, w));
                CHECK(y(n, 2, h, w) == b(n, 0, h, w));
            }
    cat.backward(dy, da, db);
    for (std::size_t n = 0; n < 2; ++n)
        for (int h = 0; h < 3; ++h)
            for (int w = 0; w < 3; ++w) {
                CHECK(da(n, 1, h, w) == dy(n, 1, h, w));
                CHECK(db(n, 0, h, w) == dy(n, 2, h, w));
            }
}

TEST_CASE("parameter gradients accumulate over backward passes until zero_grad") {
    using S = Shape<2, 5, 5>;
    gan::Conv2d<double, S, 3, 3, 2, 1, true> conv;
    gan::Random rng(9);
    conv.reset_parameters(rng);
    gan::Tensor<double, S> x(2), dx;
    gan::Tensor<double, Shape<3, 3, 3>> y, dy(2);
    gan::fill_normal(x, 0, 1, rng);
    gan::fill_normal(dy, 0, 1, rng);
    conv.forward(x, y);
    conv.backward(dy, dx);
    const auto once = conv.weight().grad();
    const auto bias_once = conv.bias().grad();
    conv.backward(dy, dx);
    for (std::size_t i = 0; i < once.size(); ++i) CHECK(conv.weight().grad()[i] == doctest::Approx(2 * once[i]));
    for (std::size_t i = 0; i < bias_once.size(); ++i) CHECK(conv.bias().grad()[i] == doctest::Approx(2 * bias_once[i]));
    conv.zero_grad();
    CHECK(conv.weight().grad()[0] == 0.0);
}

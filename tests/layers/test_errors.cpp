// Run-time mismatches the compiler cannot catch end in a gan error whose message says what to
// do, never in a crash.
#include <doctest/doctest.h>

#include <gan/layers/activation.hpp>
#include <gan/layers/batch_norm2d.hpp>
#include <gan/layers/concat.hpp>
#include <gan/layers/conv2d.hpp>
#include <gan/layers/conv_transpose2d.hpp>
#include <gan/layers/dropout.hpp>
#include <gan/layers/instance_norm2d.hpp>

using gan::Shape;
using gan::Tensor;

TEST_CASE("backward with a gradient of another batch size is a shape_error naming both sizes") {
    using S = Shape<2, 4, 4>;
    Tensor<float, S> x(2), dx;
    SUBCASE("Conv2d") {
        gan::Conv2d<float, S, 3, 3, 1, 1> conv;
        Tensor<float, Shape<3, 4, 4>> y, dy(3);
        conv.forward(x, y);
        CHECK_THROWS_WITH_AS(conv.backward(dy, dx),
                             "gan::Conv2d::backward: the output gradient has batch size 3 but the last forward() had "
                             "batch size 2; pass the gradient of that forward pass's output",
                             gan::shape_error);
    }
    SUBCASE("ConvTranspose2d") {
        gan::ConvTranspose2d<float, S, 1, 4, 2, 1> up;
        Tensor<float, Shape<1, 8, 8>> y, dy(1);
        up.forward(x, y);
        CHECK_THROWS_WITH_AS(up.backward(dy, dx), doctest::Contains("batch size 1"), gan::shape_error);
    }
    SUBCASE("BatchNorm2d") {
        gan::BatchNorm2d<float, S> bn;
        Tensor<float, S> y, dy(1);
        bn.forward(x, y);
        CHECK_THROWS_AS(bn.backward(dy, dx), gan::shape_error);
    }
    SUBCASE("InstanceNorm2d") {
        gan::InstanceNorm2d<float, S> in;
        Tensor<float, S> y, dy(4);
        in.forward(x, y);
        CHECK_THROWS_AS(in.backward(dy, dx), gan::shape_error);
    }
    SUBCASE("activations") {
        gan::Tanh<float, S> tanh;
        Tensor<float, S> y, dy(1);
        tanh.forward(x, y);
        CHECK_THROWS_AS(tanh.backward(dy, dx), gan::shape_error);
    }
    SUBCASE("Dropout") {
        gan::Dropout<float, S> dropout;
        Tensor<float, S> y, dy(1);
        dropout.forward(x, y);
        CHECK_THROWS_AS(dropout.backward(dy, dx), gan::shape_error);
    }
}

TEST_CASE("backward before any forward pass says to call forward first") {
    gan::Conv2d<float, Shape<1, 3, 3>, 1, 3> conv;
    Tensor<float, Shape<1, 1, 1>> dy(1);
    Tensor<float, Shape<1, 3, 3>> dx;
    CHECK_THROWS_WITH_AS(conv.backward(dy, dx), doctest::Contains("call forward() first"), gan::shape_error);
}

TEST_CASE("empty batches, mismatched concatenation and masks are shape_errors") {
    using S = Shape<2, 3, 3>;
    Tensor<float, S> empty, y;
    gan::ReLU<float, S> relu;
    CHECK_THROWS_WITH_AS(relu.forward(empty, y), doctest::Contains("empty"), gan::shape_error);

    gan::Concat<float, S, Shape<1, 3, 3>> cat;
    Tensor<float, S> a(2);
    Tensor<float, Shape<1, 3, 3>> b(3);
    Tensor<float, Shape<3, 3, 3>> ab;
    CHECK_THROWS_WITH_AS(cat.forward(a, b, ab), doctest::Contains("batch sizes 2 and 3"), gan::shape_error);

    gan::Dropout<float, S> dropout;
    dropout.set_mask(Tensor<float, S>(1));
    CHECK_THROWS_WITH_AS(dropout.forward(a, y), doctest::Contains("clear_mask()"), gan::shape_error);
}

TEST_CASE("BatchNorm2d in training mode refuses a single value per channel, as PyTorch does") {
    gan::BatchNorm2d<float, Shape<4, 1, 1>> bn;
    Tensor<float, Shape<4, 1, 1>> x(1), y;
    CHECK_THROWS_WITH_AS(bn.forward(x, y), doctest::Contains("more than one value per channel"), gan::shape_error);
    bn.eval();
    CHECK_NOTHROW(bn.forward(x, y));
    Tensor<float, Shape<4, 1, 1>> x2(2);
    bn.train();
    CHECK_NOTHROW(bn.forward(x2, y));
}

TEST_CASE("invalid hyper-parameters are invalid_arguments") {
    using S = Shape<1, 2, 2>;
    CHECK_THROWS_AS((gan::LeakyReLU<float, S>{-0.1f}), gan::invalid_argument);
    CHECK_THROWS_AS((gan::Dropout<float, S>{1.0}), gan::invalid_argument);
}

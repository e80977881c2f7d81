// Layers whose input and output shapes agree may run in place — forward(x, x) and
// backward(d, d) — as pix2pix's inplace=True LeakyReLU and ReLU do, with the same results.
#include <doctest/doctest.h>

#include <cstring>

#include <gan/core/init.hpp>
#include <gan/layers/activation.hpp>
#include <gan/layers/batch_norm2d.hpp>
#include <gan/layers/conv2d.hpp>
#include <gan/layers/dropout.hpp>
#include <gan/layers/instance_norm2d.hpp>

using S = gan::Shape<2, 5, 5>;
using gan::Tensor;

namespace {

bool same(const Tensor<float, S>& a, const Tensor<float, S>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.bytes()) == 0;
}

// Runs two copies of a layer, one out of place and one in place, and compares everything.
template <class Layer>
void check_in_place(Layer out_of_place) {
    Layer in_place = out_of_place;
    gan::Random rng(4);
    Tensor<float, S> x(2), dy(2), y, dx;
    gan::fill_normal(x, 0, 1, rng);
    gan::fill_normal(dy, 0, 1, rng);
    out_of_place.forward(x, y);
    out_of_place.backward(dy, dx);

    Tensor<float, S> t = x, d = dy;
    in_place.forward(t, t);
    in_place.backward(d, d);
    CHECK(same(t, y));
    CHECK(same(d, dx));
}

}  // namespace

TEST_CASE("layers run in place with the results of out-of-place runs") {
    SUBCASE("LeakyReLU") { check_in_place(gan::LeakyReLU<float, S>{0.2f}); }
    SUBCASE("ReLU") { check_in_place(gan::ReLU<float, S>{}); }
    SUBCASE("Tanh") { check_in_place(gan::Tanh<float, S>{}); }
    SUBCASE("BatchNorm2d + LeakyReLU") { check_in_place(gan::BatchNorm2d<float, S, gan::kernels::leaky_relu_op<float>>{0.2f}); }
    SUBCASE("InstanceNorm2d") { check_in_place(gan::InstanceNorm2d<float, S>{}); }
    SUBCASE("Dropout, enabled and disabled") {
        gan::Dropout<float, S> dropout(0.5, gan::Random(8));
        check_in_place(dropout);
        dropout.enable(false);
        check_in_place(dropout);
    }
    SUBCASE("Conv2d 3x3, stride 1, padding 1") {
        gan::Conv2d<float, S, 2, 3, 1, 1> conv;
        gan::Random rng(2);
        conv.reset_parameters(rng);
        check_in_place(conv);
    }
}

// gan::Autocast: the passes of Conv2d and ConvTranspose2d multiply bfloat16-rounded weights and
// inputs (kernels::gemm_bf16): the const passes always, the training passes (forward, input and
// weight gradients) on images of at least 128 pixels. Checked against the float32 pass of the same
// layer given the rounded operands, which computes the same exact products summed in another
// order; and the guard's scope, and the small training passes, are left as they were.
#include <doctest/doctest.h>

#include <gan/core/autocast.hpp>
#include <gan/core/bfloat16.hpp>
#include <gan/core/init.hpp>
#include <gan/core/scratch.hpp>
#include <gan/layers/conv2d.hpp>
#include <gan/layers/conv_transpose2d.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

namespace {

template <class Tensor>
void round_to_bfloat16(Tensor& t) {
    for (std::size_t i = 0; i < t.size(); ++i) t.data()[i] = gan::bfloat16::nearest(t.data()[i]).to_float();
}

// Largest |a - b| over the largest |b|.
template <class Tensor>
double relative_difference(const Tensor& a, const Tensor& b) {
    double diff = 0, scale = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        diff = std::max(diff, double(std::fabs(a.data()[i] - b.data()[i])));
        scale = std::max(scale, double(std::fabs(b.data()[i])));
    }
    return diff / scale;
}

template <class Layer>
void check_autocast(const char* what) {
    INFO(what);
    gan::Random rng(99);
    Layer layer(rng), rounded(layer);
    typename Layer::input_type x(2), x_rounded(2);
    gan::fill_uniform(x, -1, 1, rng);
    std::copy(x.data(), x.data() + x.size(), x_rounded.data());
    round_to_bfloat16(x_rounded);
    round_to_bfloat16(rounded.weight().value());

    gan::Scratch<> scratch;
    typename Layer::output_type y32, y16, expected, after;
    const Layer& model = layer;
    model.forward(x, y32, scratch);
    scratch.reset();
    {
        const gan::Autocast bfloat16;
        CHECK(gan::Autocast::precision() == gan::ProductPrecision::bfloat16);
        model.forward(x, y16, scratch);
        scratch.reset();
    }
    CHECK(gan::Autocast::precision() == gan::ProductPrecision::float32);
    std::as_const(rounded).forward(x_rounded, expected, scratch);
    scratch.reset();
    model.forward(x, after, scratch);
    scratch.reset();

    // The same products as the float32 pass on rounded operands, summed in another order.
    CHECK(relative_difference(y16, expected) < 1e-5);
    // Rounding did happen: the float32 pass on the original operands is further away.
    CHECK(relative_difference(y16, y32) > 1e-4);
    CHECK(relative_difference(y16, y32) < 2e-2);
    // Out of the guard's scope the float32 bits are back.
    CHECK(std::memcmp(after.data(), y32.data(), y32.size() * sizeof(float)) == 0);

    // The training pass of these small layers (under 128 pixels) ignores the guard.
    typename Layer::output_type trained, trained_under_guard;
    layer.forward(x, trained);
    {
        const gan::Autocast bfloat16;
        layer.forward(x, trained_under_guard);
    }
    CHECK(std::memcmp(trained.data(), trained_under_guard.data(), trained.size() * sizeof(float)) == 0);
}

template <class Tensor>
void copy_rounded(const Tensor& from, Tensor& to) {
    to.resize(from.batch());
    std::copy(from.data(), from.data() + from.size(), to.data());
    round_to_bfloat16(to);
}

template <class Tensor>
bool same_bits(const Tensor& a, const Tensor& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

// A training pass (forward, backward) under the guard against the float32 training pass of a copy
// given the rounded weights, input and output gradient: y, dx and dW the same products summed in
// another order; the bias gradient, from the output gradient alone, the float32 bits.
template <class Layer>
void check_autocast_training(const char* what, std::size_t batch) {
    INFO(what << ", batch " << batch);
    gan::Random rng(7);
    Layer layer(rng), rounded(layer), plain(layer);
    round_to_bfloat16(rounded.weight().value());
    typename Layer::input_type x(batch), x_rounded, dx16, dx_expected, dx32;
    typename Layer::output_type dy(batch), dy_rounded, y16, y_expected, y32;
    gan::fill_uniform(x, -1, 1, rng);
    gan::fill_uniform(dy, -1, 1, rng);
    copy_rounded(x, x_rounded);
    copy_rounded(dy, dy_rounded);
    {
        const gan::Autocast bfloat16;
        layer.zero_grad();
        layer.forward(x, y16);
        layer.backward(dy, dx16);
    }
    rounded.zero_grad();
    rounded.forward(x_rounded, y_expected);
    rounded.backward(dy_rounded, dx_expected);
    plain.zero_grad();
    plain.forward(x, y32);
    plain.backward(dy, dx32);

    CHECK(relative_difference(y16, y_expected) < 1e-5);
    CHECK(relative_difference(dx16, dx_expected) < 1e-5);
    CHECK(relative_difference(layer.weight().grad(), rounded.weight().grad()) < 1e-5);
    // Rounding did happen, in each of the three products.
    CHECK(relative_difference(y16, y32) > 1e-4);
    CHECK(relative_difference(dx16, dx32) > 1e-4);
    CHECK(relative_difference(layer.weight().grad(), plain.weight().grad()) > 1e-4);
    CHECK(relative_difference(layer.weight().grad(), plain.weight().grad()) < 2e-2);
    CHECK(same_bits(layer.bias().grad(), plain.bias().grad()));
}

}  // namespace

TEST_CASE("Autocast runs the training passes of convolutions on 128 pixels or more on bfloat16 operands") {
    using gan::Shape;
    for (const std::size_t batch : {1, 2}) {
        check_autocast_training<gan::Conv2d<float, Shape<6, 24, 24>, 12, 4, 2, 1, true>>("Conv2d 6→12, 24²→12²", batch);
        check_autocast_training<gan::Conv2d<float, Shape<5, 13, 11>, 7, 3, 1, 1, true>>("Conv2d 5→7, 3×3, 13×11", batch);
        check_autocast_training<gan::ConvTranspose2d<float, Shape<16, 12, 11>, 6, 4, 2, 1, true>>(
            "ConvTranspose2d 16→6, 12×11→24×22", batch);
    }
}

TEST_CASE("Autocast runs the convolutions' const passes on bfloat16 operands") {
    using gan::Shape;
    check_autocast<gan::Conv2d<float, Shape<8, 12, 12>, 16, 4, 2, 1, true>>("Conv2d 8→16, 12²→6²");
    check_autocast<gan::Conv2d<float, Shape<16, 2, 2>, 32, 4, 2, 1, false>>("Conv2d 16→32, 2²→1² (dead taps)");
    check_autocast<gan::ConvTranspose2d<float, Shape<16, 6, 6>, 8, 4, 2, 1, true>>("ConvTranspose2d 16→8, 6²→12²");
    check_autocast<gan::ConvTranspose2d<float, Shape<32, 1, 1>, 16, 4, 2, 1, false>>(
        "ConvTranspose2d 32→16, 1²→2² (dead taps, one pixel)");
}

TEST_CASE("Autocast guards nest and restore the setting they found") {
    CHECK(gan::Autocast::precision() == gan::ProductPrecision::float32);
    {
        const gan::Autocast outer;
        {
            const gan::Autocast inner(gan::ProductPrecision::float32);
            CHECK(gan::Autocast::precision() == gan::ProductPrecision::float32);
        }
        CHECK(gan::Autocast::precision() == gan::ProductPrecision::bfloat16);
    }
    CHECK(gan::Autocast::precision() == gan::ProductPrecision::float32);
}

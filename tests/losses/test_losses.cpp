// Losses: gradients against finite differences in double, values and gradients against PyTorch,
// numerically safe for large logits, and clear errors for mismatched operands.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include <gan/core/init.hpp>
#include <gan/losses/bce_with_logits.hpp>
#include <gan/losses/l1.hpp>
#include <gan/losses/mse.hpp>

#include "../layers/fixture.hpp"

using S = gan::Shape<1, 5, 7>;  // 35 elements per sample: full vectors and a partial one
using gan_test::Fixture;

namespace {

// The gradient of a loss(x, target, grad) function against central differences of its value.
template <class Loss>
void check_loss_gradient(Loss loss) {
    gan::Random rng(5);
    gan::Tensor<double, S> x(2), target(2), grad, scratch;
    gan::fill_normal(x, 0.0, 2.0, rng);
    gan::fill_uniform(target, 0.0, 1.0, rng);
    loss(x, target, grad);
    const double h = 1e-6;
    double diff = 0, scale = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double saved = x[i];
        x[i] = saved + h;
        const double plus = loss(x, target, scratch);
        x[i] = saved - h;
        const double minus = loss(x, target, scratch);
        x[i] = saved;
        const double numeric = (plus - minus) / (2 * h);
        diff = std::max(diff, std::abs(grad[i] - numeric));
        scale = std::max(scale, std::abs(numeric));
    }
    INFO("relative error ", diff / scale);
    CHECK(diff / scale < 1e-6);
}

}  // namespace

TEST_CASE("loss gradients match finite differences") {
    SUBCASE("BCE with logits") {
        check_loss_gradient([](const auto& x, const auto& t, auto& g) { return gan::bce_with_logits(x, t, g); });
    }
    SUBCASE("MSE") {
        check_loss_gradient([](const auto& x, const auto& t, auto& g) { return gan::mse_loss(x, t, g); });
    }
    SUBCASE("L1") {
        check_loss_gradient([](const auto& x, const auto& t, auto& g) { return gan::l1_loss(x, t, g); });
    }
}

TEST_CASE("losses match PyTorch, with tensor and scalar targets") {
    const Fixture f("losses");
    using M = gan::Shape<1, 14, 14>;
    gan::Tensor<float, M> x, target, grad;
    f.load("x", x);
    f.load("target", target);
    auto check = [&](const std::string& key, float value) {
        INFO(key);
        CHECK(std::abs(value - f.scalar(key + ".value")) <= 1e-5 * std::abs(f.scalar(key + ".value")));
        f.expect(key + ".grad", grad);
    };
    check("bce_with_logits.tensor", gan::bce_with_logits(x, target, grad));
    check("bce_with_logits.ones", gan::bce_with_logits(x, 1.0f, grad));
    check("bce_with_logits.zeros", gan::bce_with_logits(x, 0.0f, grad));
    check("mse.tensor", gan::mse_loss(x, target, grad));
    check("mse.ones", gan::mse_loss(x, 1.0f, grad));
    check("mse.zeros", gan::mse_loss(x, 0.0f, grad));
    check("l1.tensor", gan::l1_loss(x, target, grad));
    check("l1.ones", gan::l1_loss(x, 1.0f, grad));
    check("l1.zeros", gan::l1_loss(x, 0.0f, grad));
}

TEST_CASE("BCE with logits stays finite for large logits") {
    gan::Tensor<float, gan::Shape<1, 1, 2>> x(1), grad;
    x[0] = 100.0f;
    x[1] = -100.0f;
    const float loss = gan::bce_with_logits(x, 1.0f, grad);
    CHECK(loss == doctest::Approx(50.0f));  // (0 + 100) / 2
    CHECK(grad[0] == doctest::Approx(0.0f));
    CHECK(grad[1] == doctest::Approx(-0.5f));
}

TEST_CASE("a target of another batch size is an error that says so") {
    gan::Tensor<float, S> x(2), target(3), grad;
    CHECK_THROWS_WITH_AS(gan::mse_loss(x, target, grad), doctest::Contains("batch size 3"), gan::shape_error);
    gan::Tensor<float, S> empty;
    CHECK_THROWS_AS(gan::l1_loss(empty, 0.0f, grad), gan::shape_error);
}

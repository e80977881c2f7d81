// The pix2pix training iteration against the reference optimize_parameters run by PyTorch
// (tools/reference/make_model_fixtures.py): three iterations of UNet<5, 1> against
// PatchGAN<3, 2>, Adam with lr 0.01. The losses of every iteration, the weight changes and the
// BatchNorm buffers at the end must agree.
#include <doctest/doctest.h>

#include <gan/core/autocast.hpp>
#include <gan/models/init.hpp>
#include <gan/models/unet.hpp>
#include <gan/train/pix2pix.hpp>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "../layers/fixture.hpp"

using G = gan::UNet<5, 1, 1, 1, gan::BatchNorm, gan::cpu, float, 32>;
using D = gan::PatchGAN<3, 2, 2, gan::BatchNorm, gan::cpu, float, 32>;

TEST_CASE("three pix2pix iterations equal the reference's, loss by loss and weight by weight") {
    const gan_test::Fixture fixture("pix2pix_steps");
    gan::Pix2Pix<G, D> model({.lr = 0.01});
    model.generator().visit_parameters([&](const std::string& name, gan::Parameter<float>& p) {
        fixture.load("before.G." + name, p.value());
    });
    model.discriminator().visit_parameters([&](const std::string& name, gan::Parameter<float>& p) {
        fixture.load("before.D." + name, p.value());
    });
    const auto expected_losses = fixture.values("losses");
    for (int it = 0; it < 3; ++it) {
        G::input_type a;
        G::output_type b;
        const std::string index = std::to_string(it);
        fixture.load(std::string("a").append(index), a);  // not "a" + ...: GCC 12 warns falsely there
        fixture.load(std::string("b").append(index), b);
        const auto losses = model.train_step(a, b);
        CAPTURE(it);
        CHECK(losses.g_gan == doctest::Approx(expected_losses[4 * it + 0]).epsilon(1e-5));
        CHECK(losses.g_l1 == doctest::Approx(expected_losses[4 * it + 1]).epsilon(1e-5));
        CHECK(losses.d_real == doctest::Approx(expected_losses[4 * it + 2]).epsilon(1e-5));
        CHECK(losses.d_fake == doctest::Approx(expected_losses[4 * it + 3]).epsilon(1e-5));
    }
    // Compare what training changed (after − before), not the weights themselves: the change is
    // small beside the weights, so comparing weights would hide an error in the update.
    auto check_updates = [&](const std::string& prefix, auto& net) {
        net.visit_parameters([&](const std::string& name, gan::Parameter<float>& p) {
            const auto before = fixture.values("before." + prefix + name);
            const auto after = fixture.values("after." + prefix + name);
            double diff = 0, scale = 0;
            for (std::size_t i = 0; i < before.size(); ++i) {
                const double expected = double(after[i]) - double(before[i]);
                const double got = double(p.value()[i]) - double(before[i]);
                diff = std::max(diff, std::abs(got - expected));
                scale = std::max(scale, std::abs(expected));
            }
            INFO(prefix << name << ": max |Δ| " << scale << ", max error " << diff);
            CHECK(diff <= 1e-4 * scale + 1e-7);
        });
        net.visit_buffers([&](const std::string& name, auto& buffer) {
            using V = typename std::remove_cvref_t<decltype(buffer)>::value_type;
            if constexpr (std::is_same_v<V, float>) fixture.expect("buffer." + prefix + name, buffer);
            else CHECK(double(buffer[0]) == double(fixture.scalar("buffer." + prefix + name)));
        });
    };
    check_updates("G.", model.generator());
    check_updates("D.", model.discriminator());
}

namespace {
// Iterations on pairs of uniform noise from a stream seeded with `data_seed`; `between` runs
// after each.
template <class F = void (*)()>
void train_on_noise(gan::Pix2Pix<G, D>& model, std::uint64_t data_seed, int iterations, F between = [] {}) {
    gan::Random data(data_seed);
    G::input_type a(1);
    G::output_type b(1);
    for (int it = 0; it < iterations; ++it) {
        gan::fill_uniform(a, -1, 1, data);
        gan::fill_uniform(b, -1, 1, data);
        model.train_step(a, b);
        between();
    }
}
}  // namespace

TEST_CASE("training is seeded: the same seed and data give bit-identical weights") {
    auto run = [](std::uint64_t seed) {
        gan::Pix2Pix<G, D> model({.seed = seed});
        train_on_noise(model, 99, 2);
        std::vector<float> weights;
        model.generator().visit_parameters([&](const std::string&, gan::Parameter<float>& p) {
            weights.insert(weights.end(), p.value().data(), p.value().data() + p.size());
        });
        return weights;
    };
    const auto first = run(5), second = run(5), other = run(6);
    CHECK(first == second);
    CHECK(first != other);
}

TEST_CASE("the generator's Adam stepping in backward changes no bit of training") {
    auto run = [](bool step_in_backward) {
        gan::Pix2Pix<G, D> model({.seed = 8, .g_step_in_backward = step_in_backward});
        CHECK(model.optimizer_g().steps_in_backward() == step_in_backward);
        train_on_noise(model, 3, 3, [&] { model.set_lr(0.5 * model.optimizer_g().lr()); });
        std::vector<float> all;
        const auto append = [&](const std::string&, auto& array) {
            all.insert(all.end(), array.data(), array.data() + array.size());
        };
        const auto append_value = [&](const std::string& name, gan::Parameter<float>& p) { append(name, p.value()); };
        model.generator().visit_parameters(append_value);
        model.discriminator().visit_parameters(append_value);
        model.optimizer_g().visit_state(append);
        model.optimizer_d().visit_state(append);
        return all;
    };
    const auto fused = run(true), plain = run(false);
    REQUIRE(fused.size() == plain.size());
    CHECK(fused == plain);
}

TEST_CASE("training under gan::Autocast: bfloat16 products, close to float32's and as deterministic") {
    struct Run {
        std::vector<gan::Pix2PixLosses> losses;
        std::vector<float> after;
    };
    auto run = [](gan::ProductPrecision precision) {
        const gan::Autocast products(precision);
        gan::Pix2Pix<G, D> model({.seed = 4});
        Run r;
        const auto weights = [&](std::vector<float>& out) {
            model.generator().visit_parameters([&](const std::string&, gan::Parameter<float>& p) {
                out.insert(out.end(), p.value().data(), p.value().data() + p.size());
            });
        };
        gan::Random data(21);
        G::input_type a(1);
        G::output_type b(1);
        for (int it = 0; it < 3; ++it) {
            gan::fill_uniform(a, -1, 1, data);
            gan::fill_uniform(b, -1, 1, data);
            r.losses.push_back(model.train_step(a, b));
        }
        weights(r.after);
        return r;
    };
    const Run f32 = run(gan::ProductPrecision::float32), b16 = run(gan::ProductPrecision::bfloat16),
              again = run(gan::ProductPrecision::bfloat16);
    CHECK(b16.after == again.after);  // deterministic, as float32
    CHECK(b16.after != f32.after);    // the products did change
    for (std::size_t it = 0; it < 3; ++it) {
        INFO("iteration " << it);
        CHECK(b16.losses[it].g_l1 == doctest::Approx(f32.losses[it].g_l1).epsilon(0.01));
        CHECK(b16.losses[it].g_gan == doctest::Approx(f32.losses[it].g_gan).epsilon(0.01));
        CHECK(b16.losses[it].d_real == doctest::Approx(f32.losses[it].d_real).epsilon(0.01));
        CHECK(b16.losses[it].d_fake == doctest::Approx(f32.losses[it].d_fake).epsilon(0.01));
    }
}

TEST_CASE("under gan::Autocast the generator's gradients are float32's within bfloat16's rounding") {
    // One backward pass of the U-Net, weights in hand: each parameter's gradient against float32's,
    // relative RMS. Rounding the operands moves a gradient by about 2^-8 of its size, more where
    // BatchNorm divides by a small spread; a product on wrong operands, by about its whole size.
    gan::Random init(3), data(5);
    auto g = std::make_unique<G>(1);
    gan::init_pix2pix(*g, init);
    G::input_type x(1), dx;
    G::output_type y(1), dy(1);
    gan::fill_uniform(x, -1, 1, data);
    gan::fill_uniform(dy, -1, 1, data);
    const auto gradients = [&](gan::ProductPrecision precision) {
        const gan::Autocast products(precision);
        g->zero_grad();
        g->forward(x, y);
        g->backward(dy, dx);
        std::vector<std::vector<float>> out;
        g->visit_parameters([&](const std::string&, gan::Parameter<float>& p) {
            out.emplace_back(p.grad().data(), p.grad().data() + p.size());
        });
        return out;
    };
    const auto f32 = gradients(gan::ProductPrecision::float32), b16 = gradients(gan::ProductPrecision::bfloat16);
    REQUIRE(f32.size() == b16.size());
    double worst = 0;
    std::size_t changed = 0;
    for (std::size_t t = 0; t < f32.size(); ++t) {
        double diff = 0, norm = 0;
        for (std::size_t i = 0; i < f32[t].size(); ++i) {
            diff += std::pow(double(b16[t][i]) - f32[t][i], 2);
            norm += std::pow(double(f32[t][i]), 2);
        }
        if (norm > 0) worst = std::max(worst, std::sqrt(diff / norm));
        changed += f32[t] != b16[t];
    }
    MESSAGE("largest relative RMS difference of a gradient: " << worst << "; " << changed << " of " << f32.size()
                                                              << " tensors differ");
    CHECK(changed > 0);
    CHECK(worst < 0.05);
}

// The const inference pass of the U-Net: equal to the training-mode pass it mirrors, safe from
// several threads at once, and free of side effects on the model.
#include <doctest/doctest.h>

#include <gan/core/autocast.hpp>
#include <gan/kernels/elementwise.hpp>
#include <gan/models/init.hpp>
#include <gan/models/unet.hpp>

#include <cmath>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace {

using G = gan::UNet<6, 2>;  // 64×64, one dropout block

std::vector<float> values(const G::output_type& y) { return {y.data(), y.data() + y.size()}; }

struct Fixture {
    G g{5};
    G::input_type x{3};
    Fixture() {
        gan::Random rng(17);
        gan::init_pix2pix(g, rng);
        gan::fill_uniform(x, -1, 1, rng);
        // Running statistics away from their initial 0 and 1, so eval mode is a real test.
        G::output_type y;
        for (int i = 0; i < 3; ++i) g.forward(x, y);
    }
};

}  // namespace

TEST_CASE("const inference equals the layer-by-layer pass in eval mode and with batch statistics") {
    Fixture f;
    G::output_type expected, got;
    G::InferenceContext context;

    f.g.eval();
    f.g.forward(f.x, expected);
    const G& model = f.g;
    model.forward(f.x, got, context, gan::InferenceOptions::eval());
    CHECK(values(got) == values(expected));

    f.g.train();
    f.g.enable_dropout(false);
    f.g.forward(f.x, expected);
    model.forward(f.x, got, context, {.batch_statistics = true, .dropout = false});
    CHECK(values(got) == values(expected));
}

TEST_CASE("const inference of one sample runs its norms and dropout by channel with the layer-by-layer bits") {
    // With a batch of one, batch statistics and dropout run in the channel passes too
    // (UNetBlock::up_path_by_channel, hand_inward); larger batches take the passes above.
    Fixture f;
    G::input_type x(1);
    std::copy(f.x.data(), f.x.data() + x.size(), x.data());
    const G& model = f.g;
    G::output_type expected, got;
    // The masks the const pass draws from its context's stream, innermost dropout block first,
    // fixed on the layers of the layer-by-layer pass.
    const auto fix_masks = [&](std::uint64_t seed) {
        std::vector<std::function<void(gan::Random&)>> fixers;
        f.g.visit_dropout([&](auto& layer) {
            fixers.push_back([&layer](gan::Random& stream) {
                typename std::remove_reference_t<decltype(layer)>::output_type mask(1);
                const std::uint64_t first = stream.reserve((mask.size() + 1) / 2);
                gan::kernels::dropout_mask(gan::cpu{}, stream.seed(), first, layer.p(), mask.data(), mask.size());
                layer.set_mask(mask);
            });
        });
        REQUIRE(!fixers.empty());
        gan::Random stream(seed);
        for (auto it = fixers.rbegin(); it != fixers.rend(); ++it) (*it)(stream);
    };

    SUBCASE("batch statistics, dropout off") {
        f.g.train();
        f.g.enable_dropout(false);
        f.g.forward(x, expected);
        G::InferenceContext context;
        model.forward(x, got, context, {.batch_statistics = true, .dropout = false});
        CHECK(values(got) == values(expected));
    }
    SUBCASE("the reference test protocol: batch statistics and dropout") {
        fix_masks(41);
        f.g.train();
        f.g.forward(x, expected);
        G::InferenceContext context(41);
        model.forward(x, got, context);
        CHECK(values(got) == values(expected));
        // A second pass draws new masks from the stream: not the first pass's output.
        G::output_type again;
        model.forward(x, again, context);
        CHECK(values(again) != values(got));
    }
    SUBCASE("running statistics, dropout on") {
        fix_masks(43);
        f.g.eval();
        f.g.enable_dropout(true);
        f.g.forward(x, expected);
        G::InferenceContext context(43);
        model.forward(x, got, context, {.batch_statistics = false, .dropout = true});
        CHECK(values(got) == values(expected));
    }
}

TEST_CASE("const inference equals the layer-by-layer pass with instance norm and in a one-level U-Net") {
    SUBCASE("InstanceNorm: the norms run as passes of their own, then the activations") {
        using GI = gan::UNet<5, 2, 1, 1, gan::InstanceNorm>;
        auto g = std::make_unique<GI>();
        gan::Random rng(23);
        gan::init_pix2pix(*g, rng);
        GI::input_type x(2);
        gan::fill_uniform(x, -1, 1, rng);
        GI::output_type expected, got;
        g->eval();
        g->forward(x, expected);
        GI::InferenceContext context;
        std::as_const(*g).forward(x, got, context, gan::InferenceOptions::eval());
        CHECK(std::vector<float>(got.data(), got.data() + got.size()) ==
              std::vector<float>(expected.data(), expected.data() + expected.size()));
    }
    SUBCASE("Depth 1: the outermost block is also the innermost") {
        using G1 = gan::UNet<1, 3>;
        G1 g;
        gan::Random rng(29);
        gan::init_pix2pix(g, rng);
        G1::input_type x(2);
        gan::fill_uniform(x, -1, 1, rng);
        G1::output_type expected, got;
        g.eval();
        g.forward(x, expected);
        G1::InferenceContext context;
        std::as_const(g).forward(x, got, context, gan::InferenceOptions::eval());
        CHECK(std::vector<float>(got.data(), got.data() + got.size()) ==
              std::vector<float>(expected.data(), expected.data() + expected.size()));
    }
}

TEST_CASE("const inference changes nothing in the model and reuses its memory") {
    Fixture f;
    std::vector<float> running;
    f.g.visit_buffers([&](const std::string&, auto& b) {
        for (std::size_t i = 0; i < b.size(); ++i) running.push_back(float(b[i]));
    });
    const G& model = f.g;
    G::InferenceContext context(3);
    G::output_type y;
    model.forward(f.x, y, context);
    const auto capacity = context.scratch.capacity_bytes();
    model.forward(f.x, y, context);
    CHECK(context.scratch.capacity_bytes() == capacity);
    std::vector<float> after;
    f.g.visit_buffers([&](const std::string&, auto& b) {
        for (std::size_t i = 0; i < b.size(); ++i) after.push_back(float(b[i]));
    });
    CHECK(after == running);
}

TEST_CASE("const inference runs concurrently: each thread gets what a serial call gives") {
    Fixture f;
    const G& model = f.g;
    // Reference protocol with dropout: each context's stream decides its masks.
    std::vector<std::vector<float>> serial(4), parallel(4);
    for (int t = 0; t < 4; ++t) {
        G::InferenceContext context(100 + std::uint64_t(t));
        G::output_type y;
        for (int repeat = 0; repeat < 2; ++repeat) model.forward(f.x, y, context);
        serial[std::size_t(t)] = values(y);
    }
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            G::InferenceContext context(100 + std::uint64_t(t));
            G::output_type y;
            for (int repeat = 0; repeat < 2; ++repeat) model.forward(f.x, y, context);
            parallel[std::size_t(t)] = values(y);
        });
    for (auto& th : threads) th.join();
    CHECK(parallel == serial);
    // Different streams drop different units.
    CHECK(serial[0] != serial[1]);
}

TEST_CASE("const inference repacks its weights after they change") {
    Fixture f;
    f.g.train();
    f.g.enable_dropout(false);
    const G& model = f.g;
    G::InferenceContext context;
    G::output_type expected, got;
    const gan::InferenceOptions options{.batch_statistics = true, .dropout = false};
    model.forward(f.x, got, context, options);  // packs the weights as they are now
    // An update through value(), as optimisers and loaders make: every weight moves.
    f.g.visit_parameters([](const std::string&, auto& p) {
        for (std::size_t i = 0; i < p.size(); ++i) p.value()[i] *= 1.5f;
    });
    model.forward(f.x, got, context, options);
    f.g.forward(f.x, expected);
    CHECK(values(got) == values(expected));
    // Copying a model copies no packed weights: the copy packs its own.
    auto copy = std::make_unique<G>(f.g);
    const G& copied = *copy;
    G::output_type from_copy;
    copied.forward(f.x, from_copy, context, options);
    CHECK(values(from_copy) == values(expected));
}

TEST_CASE("const inference under Autocast stays within bfloat16's rounding of the float32 pass") {
    // Every convolution of the U-Net rounds its operands to bfloat16 (tests/layers/test_autocast.cpp
    // checks each kind exactly); through 12 of them the output moves, but by far less than the
    // model's own error (pix2pix's 0.02 mean squared error on a 0..1 scale).
    Fixture f;
    const G& model = f.g;
    G::InferenceContext context;
    G::output_type y32, y16;
    for (const auto options : {gan::InferenceOptions::eval(), gan::InferenceOptions{true, false}}) {
        model.forward(f.x, y32, context, options);
        {
            const gan::Autocast bfloat16;
            model.forward(f.x, y16, context, options);
        }
        double squared = 0, scale = 0;
        for (std::size_t i = 0; i < y32.size(); ++i) {
            squared += std::pow(double(y16.data()[i]) - y32.data()[i], 2);
            scale += std::pow(double(y32.data()[i]), 2);
        }
        const double rms = std::sqrt(squared / double(y32.size())), rms_y = std::sqrt(scale / double(y32.size()));
        INFO("batch statistics " << options.batch_statistics << ": RMS difference " << rms << ", RMS output " << rms_y);
        CHECK(rms > 1e-6 * rms_y);  // the guard took effect
        CHECK(rms < 2e-2 * rms_y);
    }
}

TEST_CASE("a model holds gradient memory only once a backward pass needs it") {
    Fixture f;  // forward passes only
    const auto count_gradients = [&] {
        std::size_t with = 0, all = 0;
        f.g.visit_parameters([&](const std::string&, const auto& p) {
            ++all;
            if (p.has_grad()) {
                CHECK(p.grad().size() == p.size());
                ++with;
            }
        });
        return std::pair{with, all};
    };
    const auto [before, parameters] = count_gradients();
    CHECK(parameters > 0);
    CHECK(before == 0);
    f.g.zero_grad();  // allocates nothing either
    CHECK(count_gradients().first == 0);

    G::output_type y, dy{3};
    f.g.forward(f.x, y);
    gan::Random rng(3);
    gan::fill_uniform(dy, -1, 1, rng);
    f.g.backward(dy);
    CHECK(count_gradients().first == parameters);
}

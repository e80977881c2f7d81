// Adam, SGD and the linear-decay schedule against PyTorch 1.13 (fixtures from
// tools/reference/make_fixtures.py) and against their definitions.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <type_traits>
#include <string>
#include <utility>
#include <vector>

#include <gan/core/init.hpp>
#include <gan/layers/conv2d.hpp>
#include <gan/layers/conv_transpose2d.hpp>
#include <gan/optim/adam.hpp>
#include <gan/optim/linear_decay.hpp>
#include <gan/optim/sgd.hpp>
#include <tbb/task_arena.h>

#include "../layers/fixture.hpp"

using gan_test::Fixture;

namespace {

// A module with one parameter of shape (3, 5), as the fixture's.
struct Single {
    gan::Parameter<float> p{{3, 5}};
    template <class F>
    void visit_parameters(F&& f) {
        f("p", p);
    }
};

template <class Optimiser>
void check_against_pytorch(Optimiser& opt, const std::string& name, std::initializer_list<const char*> state) {
    INFO(name);
    const Fixture f("optimisers");
    Single module;
    f.load("param", module.p.value());
    opt.add(module);
    for (int step = 0; step < 3; ++step) {
        f.load("grad" + std::to_string(step), module.p.grad());
        opt.step();
        f.expect(name + ".step" + std::to_string(step), module.p.value());
    }
    std::size_t compared = 0;
    opt.visit_state([&](const std::string& key, gan::Array<float>& array) {
        for (const char* s : state)
            if (key == std::string("p.") + s) {
                f.expect(name + "." + s, array);
                ++compared;
            }
    });
    CHECK(compared == state.size());
}

}  // namespace

TEST_CASE("Adam follows PyTorch's update rule") {
    SUBCASE("pix2pix settings") {
        gan::Adam<float> adam({.lr = 2e-4, .beta1 = 0.5, .beta2 = 0.999});
        check_against_pytorch(adam, "adam", {"exp_avg", "exp_avg_sq"});
        CHECK(adam.steps() == 3);
    }
    SUBCASE("with weight decay") {
        gan::Adam<float> adam({.lr = 1e-2, .beta1 = 0.9, .beta2 = 0.99, .eps = 1e-6, .weight_decay = 0.1});
        check_against_pytorch(adam, "adam_wd", {"exp_avg", "exp_avg_sq"});
    }
}

TEST_CASE("SGD with momentum follows PyTorch's update rule") {
    SUBCASE("momentum and weight decay") {
        gan::SGD<float> sgd({.lr = 0.1, .momentum = 0.9, .weight_decay = 0.01});
        check_against_pytorch(sgd, "sgd_momentum", {"momentum_buffer"});
    }
    SUBCASE("Nesterov") {
        gan::SGD<float> sgd({.lr = 0.1, .momentum = 0.8, .nesterov = true});
        check_against_pytorch(sgd, "sgd_nesterov", {"momentum_buffer"});
    }
}

TEST_CASE("optimisers walk a layer's parameters by name and zero their gradients") {
    gan::Conv2d<float, gan::Shape<2, 4, 4>, 3, 3, 1, 1, true> conv;
    gan::Adam<float> adam;
    adam.add(conv, "down.");
    REQUIRE(adam.parameters().size() == 2);
    CHECK(adam.parameters()[0].name == "down.weight");
    CHECK(adam.parameters()[1].name == "down.bias");
    std::size_t arrays = 0;
    adam.visit_state([&](const std::string& key, gan::Array<float>& a) {
        ++arrays;
        CHECK(a.shape() == (key.starts_with("down.weight") ? conv.weight().shape() : conv.bias().shape()));
    });
    CHECK(arrays == 4);
    conv.weight().grad()[0] = 1.0f;
    adam.zero_grad();
    CHECK(conv.weight().grad()[0] == 0.0f);
    CHECK_THROWS_AS(adam.add(conv, "down."), gan::invalid_argument);
}

// zero_grad() only marks the gradients zero; the next backward pass stores where it would add.
// Whatever the bookkeeping, the gradients must be what accumulation into zeros gives, bit for bit.
template <class Layer>
void check_zero_grad_then_backward() {
    Layer layer;
    gan::Random rng(5);
    gan::fill_uniform(layer.weight().value().data(), layer.weight().size(), -1, 1, rng);
    typename Layer::input_type x(2), dx;  // batch 2: the first sample stores, the second adds
    typename Layer::output_type y, dy(2);
    gan::fill_uniform(x, -1, 1, rng);
    gan::fill_uniform(dy, -1, 1, rng);
    const auto weight_gradient = [&] {
        const auto& g = std::as_const(layer.weight()).grad();
        return std::vector<float>(g.data(), g.data() + g.size());
    };

    layer.forward(x, y);
    layer.backward(dy, dx);  // into a freshly allocated gradient
    const auto once = weight_gradient();
    layer.forward(x, y);
    layer.backward(dy, dx);  // no zero_grad: adds (in another order than 2x, so not bit for bit)
    const auto twice = weight_gradient();
    for (std::size_t i = 0; i < once.size(); ++i) CHECK(twice[i] == doctest::Approx(2 * once[i]).epsilon(1e-5));

    layer.zero_grad();
    CHECK(layer.weight().grad()[0] == 0.0f);  // read after zero_grad: zeros
    layer.forward(x, y);
    layer.backward(dy, dx);
    CHECK(weight_gradient() == once);

    layer.zero_grad();  // and without the read in between
    layer.forward(x, y);
    layer.backward(dy, dx);
    CHECK(weight_gradient() == once);
}

TEST_CASE("after zero_grad a backward pass gives the gradient of a fresh one, and without it adds") {
    check_zero_grad_then_backward<gan::Conv2d<float, gan::Shape<3, 8, 8>, 4, 4, 2, 1, false>>();
    check_zero_grad_then_backward<gan::ConvTranspose2d<float, gan::Shape<4, 4, 4>, 3, 4, 2, 1, false>>();
}

namespace {

// A convolution and a transposed convolution in a row, trained by one Adam: the chain that
// step_in_backward must get right (the second layer's weight is needed for the gradient that
// reaches the first, after the second's weight gradient is complete).
template <class Down, class Up, std::size_t Batch>
struct BasicChain {
    Down down;
    Up up;
    typename Down::input_type x{Batch}, dx;
    typename Down::output_type h, dh;
    typename Up::output_type y, dy{Batch};

    explicit BasicChain(std::uint64_t seed) {
        gan::Random rng(seed);
        down.reset_parameters(rng);
        up.reset_parameters(rng);
    }
    template <class F>
    void visit_parameters(F&& f) {
        down.visit_parameters([&](std::string_view name, auto& p) { f("down." + std::string(name), p); });
        up.visit_parameters([&](std::string_view name, auto& p) { f("up." + std::string(name), p); });
    }
    // Forward and backward of a batch drawn from `data`, against the loss sum(y · dy).
    void pass(gan::Random& data, bool through_down = true) {
        gan::fill_uniform(x, -1, 1, data);
        gan::fill_uniform(dy, -1, 1, data);
        down.forward(x, h);
        up.forward(h, y);
        up.backward(dy, dh);
        if (through_down) down.backward(dh, dx);
    }
    std::vector<float> values() {
        std::vector<float> v;
        visit_parameters([&](const std::string&, gan::Parameter<float>& p) {
            v.insert(v.end(), p.value().data(), p.value().data() + p.size());
        });
        return v;
    }
};

using Chain = BasicChain<gan::Conv2d<float, gan::Shape<2, 8, 8>, 3, 4, 2, 1, true>,
                         gan::ConvTranspose2d<float, gan::Shape<3, 4, 4>, 2, 4, 2, 1, false>, 2>;

// Layers whose weight gradients have 2048 columns and 16 K steps, which Adam takes slice by slice
// on a batch of one (kernels::gemm_completes_rows), from forking products.
template <std::size_t Batch>
using DeepChain = BasicChain<gan::Conv2d<float, gan::Shape<128, 8, 8>, 64, 4, 2, 1, false>,
                             gan::ConvTranspose2d<float, gan::Shape<64, 4, 4>, 128, 4, 2, 1, false>, Batch>;

std::vector<float> state_of(gan::Adam<float>& adam) {
    std::vector<float> v;
    adam.visit_state(
        [&](const std::string&, gan::Array<float>& a) { v.insert(v.end(), a.data(), a.data() + a.size()); });
    return v;
}

// Two copies of a chain on the same data: one trained by backward() then Adam's step(), the
// other by an Adam that steps in backward.
template <class ChainType>
struct PlainAndFused {
    ChainType plain{3}, fused{3};
    gan::Adam<float> adam_plain, adam_fused;
    gan::Random data_plain{11}, data_fused{11};

    explicit PlainAndFused(const gan::AdamOptions& options) : adam_plain(options), adam_fused(options) {
        adam_plain.add(plain);
        adam_fused.add(fused);
        adam_fused.step_in_backward(true);
    }
    void step(bool through_down) {
        adam_plain.zero_grad();
        plain.pass(data_plain, through_down);
        adam_plain.step();
        adam_fused.zero_grad();
        fused.pass(data_fused, through_down);
        adam_fused.step();
    }
    bool same() { return fused.values() == plain.values() && state_of(adam_fused) == state_of(adam_plain); }
};

}  // namespace

TEST_CASE("Adam stepping in backward gives the weights and state of backward then step, bit for bit") {
    PlainAndFused<Chain> chains({.lr = 1e-2, .beta1 = 0.5, .weight_decay = 0.01});
    auto& [plain, fused, adam_plain, adam_fused, data_plain, data_fused] = chains;
    CHECK(adam_fused.steps_in_backward());
    for (int step = 0; step < 4; ++step) {
        CAPTURE(step);
        // The last step stops before the first layer: its weight must still take Adam's step
        // for a zero gradient (its moments decay), as in step() without step_in_backward.
        chains.step(step != 3);
        if (step == 1) {
            adam_plain.set_lr(5e-3);
            adam_fused.set_lr(5e-3);
        }
        CHECK(chains.same());
    }
    CHECK(plain.values() != Chain(3).values());  // it trained

    // Only the weights are lent; the bias keeps its gradient, the weights' cannot be read.
    CHECK(fused.down.bias().grad().size() == 3);
    CHECK_THROWS_AS(fused.down.weight().grad(), gan::usage_error);
    CHECK_THROWS_AS(std::as_const(fused.up.weight()).grad(), gan::usage_error);

    // A second backward pass before step() would be a second step: refused, with a message.
    fused.pass(data_fused);
    CHECK_THROWS_AS(fused.pass(data_fused), gan::usage_error);
}

TEST_CASE_TEMPLATE("Adam stepping in backward slice by slice gives the bits of backward then step", ChainType,
                   DeepChain<1>, DeepChain<2>) {
    // On a batch of one the deep layers' weight gradients go to Adam a row panel at a time, never
    // whole (weight_gradient.hpp); on two they are lent a buffer as before. Either way: the
    // weights and moments of backward() then step(), with float and with bfloat16 moments.
    for (const gan::AdamMoments moments : {gan::AdamMoments::full, gan::AdamMoments::bfloat16}) {
        CAPTURE(gan::to_string(moments));
        REQUIRE(gan::kernels::gemm_completes_rows({64, 2048, 16, gan::kernels::Transpose::no,
                                                   gan::kernels::Transpose::yes, 16, 16, 2048}));
        PlainAndFused<ChainType> chains({.lr = 1e-2, .beta1 = 0.5, .weight_decay = 0.01, .moments = moments});
        auto& [plain, fused, adam_plain, adam_fused, data_plain, data_fused] = chains;
        for (int step = 0; step < 3; ++step) {
            CAPTURE(step);
            chains.step(step != 2);
            CHECK(chains.same());
            // The input gradients read the weights before the update.
            CHECK(std::memcmp(fused.dh.data(), plain.dh.data(), plain.dh.size() * sizeof(float)) == 0);
        }
        CHECK(plain.values() != ChainType(3).values());
        // A second backward pass before step() is still refused.
        fused.pass(data_fused);
        CHECK_THROWS_AS(fused.pass(data_fused), gan::usage_error);
    }
}

TEST_CASE("step_in_backward: turning it off hands the gradients back; misuse is refused") {
    Chain chain(4);
    gan::Adam<float> adam;
    adam.add(chain);
    adam.step_in_backward(true);
    gan::Random data(5);
    chain.pass(data);
    CHECK_THROWS_AS(adam.step_in_backward(false), gan::usage_error);  // the step is half done
    adam.step();
    adam.step_in_backward(false);
    CHECK(chain.down.weight().grad().size() == chain.down.weight().size());
    CHECK(chain.down.weight().grad()[0] == 0.0f);
    chain.pass(data);
    CHECK(chain.down.weight().grad()[0] != 0.0f);

    // A BatchNorm weight is written with its bias, not in whole through gradient_target().
    struct Sink final : gan::GradientSink<float, gan::cpu> {
        float* lend(gan::Parameter<float, gan::cpu>&) override { return nullptr; }
    } sink;
    gan::Parameter<float> norm_weight({3});
    CHECK_THROWS_AS(norm_weight.set_gradient_sink(&sink), gan::invalid_argument);
}

TEST_CASE("linear decay reproduces pix2pix's schedule") {
    const gan::LinearDecay schedule{.n_epochs = 100, .n_epochs_decay = 100};
    CHECK(schedule.factor(0) == 1.0);
    CHECK(schedule.factor(99) == 1.0);
    CHECK(schedule.factor(100) == doctest::Approx(1.0 - 1.0 / 101));
    CHECK(schedule.lr(2e-4, 199) == doctest::Approx(2e-4 / 101).scale(0));
    CHECK_THROWS_AS(schedule.factor(-1), gan::invalid_argument);
}

TEST_CASE("invalid optimiser settings are rejected with a message") {
    CHECK_THROWS_AS(gan::Adam<float>({.beta1 = 1.0}), gan::invalid_argument);
    CHECK_THROWS_AS(gan::SGD<float>({.momentum = 0, .nesterov = true}), gan::invalid_argument);
}

TEST_CASE("Adam resumes bit-identically from its visible state") {
    const Fixture f("optimisers");
    Single a, b;
    f.load("param", a.p.value());
    gan::Adam<float> first({.lr = 1e-2, .beta1 = 0.5});
    first.add(a);
    for (int step = 0; step < 2; ++step) {
        f.load("grad" + std::to_string(step), a.p.grad());
        first.step();
    }
    // A checkpoint: the parameter, the step count and the moment arrays, restored elsewhere.
    b.p.value() = a.p.value();
    gan::Adam<float> resumed({.lr = 1e-2, .beta1 = 0.5});
    resumed.add(b);
    resumed.set_steps(first.steps());
    std::vector<gan::Array<float>> saved;
    first.visit_state([&](const std::string&, gan::Array<float>& array) { saved.push_back(array); });
    std::size_t i = 0;
    resumed.visit_state([&](const std::string&, gan::Array<float>& array) { array = saved.at(i++); });

    f.load("grad2", a.p.grad());
    f.load("grad2", b.p.grad());
    first.step();
    resumed.step();
    CHECK(std::memcmp(a.p.value().data(), b.p.value().data(), a.p.value().bytes()) == 0);
}

namespace {

// A parameter of n elements, for the bfloat16-moment tests.
struct Vector {
    gan::Parameter<float> p;
    explicit Vector(std::size_t n) : p({n}) {}
    template <class F>
    void visit_parameters(F&& f) {
        f("p", p);
    }
};

}  // namespace

TEST_CASE("Adam with bfloat16 moments follows full-precision Adam closely") {
    constexpr std::size_t n = 4096;
    Vector full(n), narrow(n);
    gan::Random init(3);
    gan::fill_uniform(full.p.value().data(), n, -1, 1, init);
    narrow.p.value() = full.p.value();
    const std::vector<float> start(full.p.value().data(), full.p.value().data() + n);
    gan::Adam<float> adam_full({.lr = 2e-3, .beta1 = 0.5, .beta2 = 0.999});
    gan::Adam<float> adam_narrow({.lr = 2e-3, .beta1 = 0.5, .beta2 = 0.999, .moments = gan::AdamMoments::bfloat16});
    adam_full.add(full);
    adam_narrow.add(narrow);
    gan::Random data(4);
    std::vector<float> g(n);
    for (int step = 0; step < 300; ++step) {
        // A noisy gradient with a steady part per element (as a loss surface gives).
        gan::fill_uniform(g.data(), n, -1, 1, data);
        for (std::size_t i = 0; i < n; ++i) g[i] += 0.3f * start[i];
        std::copy(g.begin(), g.end(), full.p.grad().data());
        std::copy(g.begin(), g.end(), narrow.p.grad().data());
        adam_full.step();
        adam_narrow.step();
    }
    double moved = 0, apart = 0;
    for (std::size_t i = 0; i < n; ++i) {
        moved += std::abs(double(full.p.value()[i]) - start[i]);
        apart += std::abs(double(narrow.p.value()[i]) - full.p.value()[i]);
    }
    CAPTURE(moved / n);
    CAPTURE(apart / n);
    CHECK(moved / n > 0.1);          // the parameters travelled
    CHECK(apart < 0.01 * moved);     // and the two runs stayed within 1 % of that distance

    const auto m_full = state_of(adam_full), m_narrow = state_of(adam_narrow);
    REQUIRE(m_full.size() == 2 * n);
    REQUIRE(m_narrow.size() == 2 * n);
    double v_full = 0, v_narrow = 0, m_err = 0, m_size = 0;
    for (std::size_t i = 0; i < n; ++i) {
        m_err += std::abs(double(m_narrow[i]) - m_full[i]);
        m_size += std::abs(double(m_full[i]));
        v_full += m_full[n + i];
        v_narrow += m_narrow[n + i];
    }
    CHECK(m_err < 0.02 * m_size);
    CHECK(std::abs(v_narrow - v_full) < 0.005 * v_full);
}

TEST_CASE("bfloat16 moments: the second moment decays as in full precision, which round-to-nearest would not do") {
    // β2 = 0.999 shrinks v by 0.1 % a step, below half of bfloat16's spacing (0.4 % to 0.8 %):
    // rounded to nearest, v would never move. Stochastically rounded, the average over many
    // elements follows the float value.
    constexpr std::size_t n = 8192;
    Vector full(n), narrow(n);
    gan::Adam<float> adam_full({.lr = 1e-4}), adam_narrow({.lr = 1e-4, .moments = gan::AdamMoments::bfloat16});
    adam_full.add(full);
    adam_narrow.add(narrow);
    for (int step = 0; step < 1000; ++step) {
        const float g = step < 5 ? 1.0f : 0.0f;
        std::fill_n(full.p.grad().data(), n, g);
        std::fill_n(narrow.p.grad().data(), n, g);
        adam_full.step();
        adam_narrow.step();
    }
    const auto m_full = state_of(adam_full), m_narrow = state_of(adam_narrow);
    double v_full = 0, v_narrow = 0;
    for (std::size_t i = 0; i < n; ++i) {
        v_full += m_full[n + i];
        v_narrow += m_narrow[n + i];
    }
    v_full /= n;
    v_narrow /= n;
    // After 995 steps of decay: about 0.37 of its peak, not the peak.
    CHECK(v_full < 0.5 * 0.00499);
    CHECK(std::abs(v_narrow - v_full) < 0.01 * v_full);  // (doctest's Approx would be absolute here)
}

TEST_CASE("bfloat16 moments: deterministic for any thread count, and stepping in backward changes no bit") {
    // Several elementwise blocks, so that two threads split the work.
    constexpr std::size_t n = 3 * 65536 + 5;
    const auto run = [&](int threads) {
        Vector v(n);
        gan::Random data(9);
        gan::fill_uniform(v.p.value().data(), n, -1, 1, data);
        gan::Adam<float> adam({.lr = 1e-2, .weight_decay = 0.01, .moments = gan::AdamMoments::bfloat16});
        adam.add(v);
        tbb::task_arena arena(threads);
        for (int step = 0; step < 3; ++step) {
            gan::fill_uniform(v.p.grad().data(), n, -1, 1, data);
            arena.execute([&] { adam.step(); });
        }
        std::vector<float> out(v.p.value().data(), v.p.value().data() + n);
        const auto state = state_of(adam);
        out.insert(out.end(), state.begin(), state.end());
        return out;
    };
    CHECK(run(1) == run(2));

    PlainAndFused<Chain> chains({.lr = 1e-2, .beta1 = 0.5, .moments = gan::AdamMoments::bfloat16});
    auto& [plain, fused, adam_plain, adam_fused, data_plain, data_fused] = chains;
    for (int step = 0; step < 3; ++step) chains.step(step != 2);
    CHECK(chains.same());
    CHECK(plain.values() != Chain(3).values());

    // visit_state shows the moments as floats and rounds what a visitor writes to nearest;
    // visit_stored_state shows them as stored.
    adam_plain.visit_state([](const std::string&, gan::Array<float>& a) { a[0] = 1.0f + 0x1p-8f + 0x1p-12f; });
    std::size_t stored = 0;
    adam_plain.visit_stored_state([&](const std::string&, auto& a) {
        if constexpr (std::is_same_v<std::decay_t<decltype(a)>, gan::Array<gan::bfloat16>>) {
            CHECK(a[0].to_float() == 1.0f + 0x1p-7f);
            ++stored;
        }
    });
    CHECK(stored == 6);  // two moments of the chain's three parameters
    const auto read_once = state_of(adam_plain);
    CHECK(state_of(adam_plain) == read_once);  // a read-only visit changes no bit
}

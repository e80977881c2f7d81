// Adam, SGD and the linear-decay schedule against PyTorch 1.13 (fixtures from
// tools/reference/make_fixtures.py) and against their definitions.
#include <doctest/doctest.h>

#include <string>

#include <gan/layers/conv2d.hpp>
#include <gan/optim/adam.hpp>
#include <gan/optim/linear_decay.hpp>
#include <gan/optim/sgd.hpp>

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
        gan::Sgd<float> sgd({.lr = 0.1, .momentum = 0.9, .weight_decay = 0.01});
        check_against_pytorch(sgd, "sgd_momentum", {"momentum_buffer"});
    }
    SUBCASE("Nesterov") {
        gan::Sgd<float> sgd({.lr = 0.1, .momentum = 0.8, .nesterov = true});
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

TEST_CASE("linear decay reproduces pix2pix's schedule") {
    const gan::LinearDecay schedule{.n_epochs = 100, .n_epochs_decay = 100};
    CHECK(schedule.factor(0) == 1.0);
    CHECK(schedule.factor(99) == 1.0);
    CHECK(schedule.factor(100) == doctest::Approx(1.0 - 1.0 / 101));
    CHECK(schedule.lr(2e-4, 199) == doctest::Approx(2e-4 / 101));
    CHECK_THROWS_AS(schedule.factor(-1), gan::invalid_argument);
}

TEST_CASE("invalid optimiser settings are rejected with a message") {
    CHECK_THROWS_AS(gan::Adam<float>({.beta1 = 1.0}), gan::invalid_argument);
    CHECK_THROWS_AS(gan::Sgd<float>({.momentum = 0, .nesterov = true}), gan::invalid_argument);
}

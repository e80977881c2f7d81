// Dropout's masks: reproducible from the seed, fresh on every pass, of the right rate and scale,
// and switched by train()/eval() or enable() independently of the norms.
#include <doctest/doctest.h>

#include <cstring>

#include <gan/core/init.hpp>
#include <gan/layers/dropout.hpp>

using S = gan::Shape<4, 16, 16>;
using gan::Tensor;

namespace {
Tensor<float, S> ones(std::size_t batch) {
    Tensor<float, S> t(batch);
    t.fill(1.0f);
    return t;
}
bool same(const Tensor<float, S>& a, const Tensor<float, S>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.bytes()) == 0;
}
}  // namespace

TEST_CASE("the same seed gives the same masks; successive passes draw new ones") {
    gan::Dropout<float, S> a(0.5, gan::Random(42)), b(0.5, gan::Random(42));
    const auto x = ones(2);
    Tensor<float, S> ya1, ya2, yb1;
    a.forward(x, ya1);
    a.forward(x, ya2);
    b.forward(x, yb1);
    CHECK(same(ya1, yb1));
    CHECK_FALSE(same(ya1, ya2));
    CHECK(a.random().position() == (x.size() + 1) / 2 * 2);
}

TEST_CASE("kept elements are scaled by 1/(1 - p) and about p of them are dropped") {
    gan::Dropout<float, S> dropout(0.25, gan::Random(1));
    const auto x = ones(4);
    Tensor<float, S> y;
    dropout.forward(x, y);
    std::size_t dropped = 0;
    for (std::size_t i = 0; i < y.size(); ++i) {
        if (y[i] == 0.0f)
            ++dropped;
        else
            CHECK(y[i] == doctest::Approx(1.0f / 0.75f));
    }
    // 4096 Bernoulli(0.25) draws: the standard deviation of the fraction is 0.0068.
    CHECK(double(dropped) / double(y.size()) == doctest::Approx(0.25).epsilon(0.1));
}

TEST_CASE("eval() and enable(false) make dropout the identity, enable(true) brings it back") {
    gan::Dropout<float, S> dropout(0.5);
    const auto x = ones(1);
    Tensor<float, S> y, dy = ones(1), dx;
    dropout.eval();
    dropout.forward(x, y);
    CHECK(same(y, x));
    dropout.backward(dy, dx);
    CHECK(same(dx, dy));
    dropout.enable(true);  // e.g. pix2pix's test protocol: norms in eval, dropout on
    dropout.forward(x, y);
    CHECK_FALSE(same(y, x));
    dropout.train();
    dropout.enable(false);
    dropout.forward(x, y);
    CHECK(same(y, x));
}

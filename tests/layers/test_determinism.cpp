// The same inputs and seed give bit-identical outputs and gradients whatever the number of TBB
// threads, and a second forward/backward pass of the same batch size allocates nothing.
#include <doctest/doctest.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <new>
#include <vector>

#include <tbb/global_control.h>
#include <tbb/task_arena.h>

#include <gan/core/init.hpp>
#include <gan/layers/activation.hpp>
#include <gan/layers/batch_norm2d.hpp>
#include <gan/layers/conv2d.hpp>
#include <gan/layers/conv_transpose2d.hpp>
#include <gan/layers/dropout.hpp>
#include <gan/layers/instance_norm2d.hpp>
#include <gan/losses/l1.hpp>
#include <gan/optim/adam.hpp>

// Counts every allocation through operator new in this test program. The replacements pair
// malloc with free, which GCC's -Wmismatched-new-delete cannot see through.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
namespace {
std::atomic<long> allocations{0};
}
void* operator new(std::size_t n) {
    ++allocations;
    if (void* p = std::malloc(n ? n : 1)) return p;
    throw std::bad_alloc();
}
void* operator new(std::size_t n, std::align_val_t a) {
    ++allocations;
    const std::size_t align = std::size_t(a);
    if (void* p = std::aligned_alloc(align, (n + align - 1) / align * align)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

namespace {

using gan::Shape;
using gan::Tensor;

// A small encoder-decoder large enough that every kernel splits its work into several blocks.
struct Net {
    using In = Shape<8, 32, 32>;
    using Mid = Shape<32, 16, 16>;
    gan::Conv2d<float, In, 32, 4, 2, 1, true> down;
    gan::BatchNorm2d<float, Mid, gan::kernels::leaky_relu_op<float>> norm{0.2f};
    gan::ConvTranspose2d<float, Mid, 8, 4, 2, 1, false> up;
    gan::InstanceNorm2d<float, In, gan::kernels::relu_op<float>> inorm;
    gan::Dropout<float, In> dropout{0.5, gan::Random(11)};
    gan::Tanh<float, In> tanh;
    gan::Adam<float> adam{{.lr = 1e-3}};

    Tensor<float, In> x, target, y1, y2, y3, y4, y, dy, d3, d2, d1, d_up, dx;
    Tensor<float, Mid> h1, h2, d_h2, d_h1;
    float loss = 0;

    explicit Net(std::size_t batch) : x(batch), target(batch) {
        gan::Random rng(3);
        gan::fill_normal(x, 0, 1, rng);
        gan::fill_normal(target, 0, 0.5, rng);
        down.reset_parameters(rng);
        up.reset_parameters(rng);
        adam.add(down, "down.");
        adam.add(norm, "norm.");
        adam.add(up, "up.");
    }
    void step() {
        down.forward(x, h1);
        norm.forward(h1, h2);
        up.forward(h2, y1);
        inorm.forward(y1, y2);
        dropout.forward(y2, y3);
        tanh.forward(y3, y);
        loss = gan::l1_loss(y, target, dy);
        tanh.backward(dy, d3);
        dropout.backward(d3, d2);
        inorm.backward(d2, d1);
        up.backward(d1, d_h2);
        norm.backward(d_h2, d_h1);
        down.backward(d_h1, dx);
        adam.step();
        adam.zero_grad();
    }
    // Everything the step produced, as bytes.
    std::vector<unsigned char> state() {
        std::vector<unsigned char> bytes;
        auto append = [&](const void* p, std::size_t n) {
            bytes.insert(bytes.end(), static_cast<const unsigned char*>(p), static_cast<const unsigned char*>(p) + n);
        };
        append(&loss, sizeof loss);
        append(y.data(), y.bytes());
        append(dx.data(), dx.bytes());
        append(norm.running_var().data(), norm.running_var().bytes());
        adam.visit_state([&](const std::string&, gan::Array<float>& a) { append(a.data(), a.bytes()); });
        for (const auto& entry : adam.parameters()) append(entry.parameter->value().data(), entry.parameter->value().bytes());
        return bytes;
    }
};

std::vector<unsigned char> run_with_threads(int threads) {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, std::size_t(threads));
    tbb::task_arena arena(threads);
    std::vector<unsigned char> result;
    arena.execute([&] {
        CHECK(tbb::this_task_arena::max_concurrency() == threads);
        Net net(2);
        net.step();
        net.step();
        result = net.state();
    });
    return result;
}

}  // namespace

TEST_CASE("results are bit-identical for 1, 2, 3 and 4 threads") {
    const auto reference = run_with_threads(1);
    for (int threads : {2, 3, 4}) {
        INFO(threads, " threads");
        const auto other = run_with_threads(threads);
        REQUIRE(other.size() == reference.size());
        CHECK(std::memcmp(other.data(), reference.data(), reference.size()) == 0);
    }
}

TEST_CASE("forward and backward allocate nothing once the batch size is settled") {
    const long start = allocations.load();
    Net net(2);
    net.step();
    const long before = allocations.load();
    CHECK(before > start);  // the counter sees the first pass's workspaces
    net.step();
    CHECK(allocations.load() - before == 0);
}

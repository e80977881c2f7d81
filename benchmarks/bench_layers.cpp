// Every convolution of the 128×128 pix2pix networks (unet_128 generator with one input channel,
// PatchGAN on two channels), batch 1 as pix2pix trains: forward, and forward + backward, on one
// and on two threads; "<layer> const" is the const inference pass, its weights packed once.
// Reports dense GFLOP/s (2 · MAC, padding taps counted, as ptflops and the FLOP tables of docs)
// and of_peak, the fraction of the measured FMA peak of the cores used.
#include <benchmark/benchmark.h>

#include <tbb/task_arena.h>

#include <chrono>
#include <string>
#include <type_traits>

#include <gan/core/init.hpp>
#include <gan/core/scratch.hpp>
#include <gan/layers/conv2d.hpp>
#include <gan/layers/conv_transpose2d.hpp>

#include "peak.hpp"

namespace {

using gan::Shape;

double peak_gflops_per_core() {
    static const double peak = gan_bench::measure_fma_peak_gflops();
    return peak;
}

template <class Layer>
struct is_transposed : std::false_type {};
template <gan::Scalar T, gan::ShapeType In, int O, int K, int S, int P, bool Bias, gan::Backend B>
struct is_transposed<gan::ConvTranspose2d<T, In, O, K, S, P, Bias, B>> : std::true_type {};

// Conv2d: every output pixel takes C_in·k² taps; ConvTranspose2d: every input pixel writes C_out·k².
template <class Layer>
constexpr double dense_mac() {
    using In = typename Layer::input_shape;
    using Out = typename Layer::output_shape;
    constexpr double k2 = double(Layer::geometry().kernel * Layer::geometry().kernel);
    if constexpr (is_transposed<Layer>::value) return double(In::size) * double(Out::channels) * k2;
    return double(Out::size) * double(In::channels) * k2;
}

// GFLOP/s of a timed loop and its fraction of the measured peak of `threads` cores.
void report_rate(benchmark::State& state, double flop_per_iteration, double seconds, int threads) {
    const double gflops = flop_per_iteration * double(state.iterations()) / seconds / 1e9;
    state.counters["GFLOP/s"] = gflops;
    state.counters["of_peak"] = gflops / (peak_gflops_per_core() * threads);
}

// state.range(0): threads; state.range(1): 0 forward only, 1 forward and backward.
template <class Layer>
void BM_layer(benchmark::State& state) {
    const int threads = int(state.range(0));
    const bool backward = state.range(1) != 0;
    tbb::task_arena arena(threads);
    double seconds = 0;
    arena.execute([&] {
        Layer layer;
        gan::Random rng(1);
        layer.reset_parameters(rng);
        typename Layer::input_type x(1), dx;
        typename Layer::output_type y, dy(1);
        gan::fill_normal(x, 0, 1, rng);
        gan::fill_normal(dy, 0, 1, rng);
        const auto start = std::chrono::steady_clock::now();
        for (auto _ : state) {
            // As in a training step: zero_grad() only marks the gradients zero, so backward
            // stores its weight gradient instead of adding it to the last iteration's.
            if (backward) layer.zero_grad();
            layer.forward(x, y);
            if (backward) layer.backward(dy, dx);
            benchmark::DoNotOptimize(y.data());
            benchmark::DoNotOptimize(dx.data());
        }
        seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    });
    // Backward is two products of the forward's size: the weight and the input gradients.
    report_rate(state, 2.0 * dense_mac<Layer>() * (backward ? 3.0 : 1.0), seconds, threads);
}

// The const inference pass, which multiplies by weights packed once (on the warm-up call).
// state.range(0): threads.
template <class Layer>
void BM_layer_inference(benchmark::State& state) {
    const int threads = int(state.range(0));
    tbb::task_arena arena(threads);
    double seconds = 0;
    arena.execute([&] {
        Layer layer;
        gan::Random rng(1);
        layer.reset_parameters(rng);
        typename Layer::input_type x(1);
        typename Layer::output_type y;
        gan::fill_normal(x, 0, 1, rng);
        gan::Scratch<> scratch;
        const Layer& frozen = layer;
        frozen.forward(x, y, scratch);
        const auto start = std::chrono::steady_clock::now();
        for (auto _ : state) {
            scratch.reset();
            frozen.forward(x, y, scratch);
            benchmark::DoNotOptimize(y.data());
        }
        seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    });
    report_rate(state, 2.0 * dense_mac<Layer>(), seconds, threads);
}

template <class Layer>
void register_layer(const char* name) {
    benchmark::RegisterBenchmark(name, BM_layer<Layer>)
        ->ArgsProduct({{1, 2}, {0, 1}})
        ->ArgNames({"threads", "backward"})
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark((std::string(name) + " const").c_str(), BM_layer_inference<Layer>)
        ->ArgsProduct({{1, 2}})
        ->ArgNames({"threads"})
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
}

template <class In, int Out, bool Bias = false>
using Down = gan::Conv2d<float, In, Out, 4, 2, 1, Bias>;
template <class In, int Out, bool Bias = false>
using Up = gan::ConvTranspose2d<float, In, Out, 4, 2, 1, Bias>;

const bool registered = [] {
    register_layer<Down<Shape<1, 128, 128>, 64>>("G128/d0 Conv2d 1->64 128->64");
    register_layer<Down<Shape<64, 64, 64>, 128>>("G128/d1 Conv2d 64->128 64->32");
    register_layer<Down<Shape<128, 32, 32>, 256>>("G128/d2 Conv2d 128->256 32->16");
    register_layer<Down<Shape<256, 16, 16>, 512>>("G128/d3 Conv2d 256->512 16->8");
    register_layer<Down<Shape<512, 8, 8>, 512>>("G128/d4 Conv2d 512->512 8->4");
    register_layer<Down<Shape<512, 4, 4>, 512>>("G128/d5 Conv2d 512->512 4->2");
    register_layer<Down<Shape<512, 2, 2>, 512>>("G128/d6 Conv2d 512->512 2->1");
    register_layer<Up<Shape<512, 1, 1>, 512>>("G128/u6 ConvT 512->512 1->2");
    register_layer<Up<Shape<1024, 2, 2>, 512>>("G128/u5 ConvT 1024->512 2->4");
    register_layer<Up<Shape<1024, 4, 4>, 512>>("G128/u4 ConvT 1024->512 4->8");
    register_layer<Up<Shape<1024, 8, 8>, 256>>("G128/u3 ConvT 1024->256 8->16");
    register_layer<Up<Shape<512, 16, 16>, 128>>("G128/u2 ConvT 512->128 16->32");
    register_layer<Up<Shape<256, 32, 32>, 64>>("G128/u1 ConvT 256->64 32->64");
    register_layer<Up<Shape<128, 64, 64>, 1, true>>("G128/u0 ConvT 128->1 64->128");
    register_layer<Down<Shape<2, 128, 128>, 64, true>>("D128/c1 Conv2d 2->64 128->64");
    register_layer<Down<Shape<64, 64, 64>, 128>>("D128/c2 Conv2d 64->128 64->32");
    register_layer<Down<Shape<128, 32, 32>, 256>>("D128/c3 Conv2d 128->256 32->16");
    register_layer<gan::Conv2d<float, Shape<256, 16, 16>, 512, 4, 1, 1, false>>("D128/c4 Conv2d 256->512 16->15");
    register_layer<gan::Conv2d<float, Shape<512, 15, 15>, 1, 4, 1, 1, true>>("D128/c5 Conv2d 512->1 15->14");
    return true;
}();

}  // namespace

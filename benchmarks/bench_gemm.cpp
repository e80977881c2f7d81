// GEMM throughput on the shapes the 128×128 pix2pix networks produce through im2col, against the
// machine's measured FMA peak, at 1 and 2 threads.
//
//   Conv2d k4 s2 p1, C_in -> C_out, output H×W:   M = C_out, N = H·W, K = 16·C_in   (forward)
//   ConvTranspose2d k4 s2 p1 as GEMM + col2im:     M = 16·C_out, N = H_in·W_in, K = C_in
//     (Wᵀ · X, the same product as the data gradient of the mirrored Conv2d)
//
// Counters: GFLOP/s (2mnk per second) and peak_fraction, against one core's measured peak times
// the number of threads. On a shared machine run with --benchmark_repetitions=5: the counters of
// the "max" aggregate are those of the fastest repetition (its time column is the slowest one).
#include <benchmark/benchmark.h>
#include <gan/kernels/gemm.hpp>

#include <tbb/global_control.h>

#include <algorithm>
#include <cstddef>
#include <random>
#include <vector>

#include "peak.hpp"

namespace {

using gan::kernels::GemmShape;
using gan::kernels::Transpose;

double peak_gflops() {
    static const double peak = [] {
        double best = 0;
        for (int i = 0; i < 3; ++i) best = std::max(best, gan_bench::measure_fma_peak_gflops());
        return best;
    }();
    return peak;
}

std::vector<float> random_matrix(std::size_t size, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> value(-1.0f, 1.0f);
    std::vector<float> v(size);
    for (float& x : v) x = value(rng);
    return v;
}

enum class Variant { plain, packed_a };

// Arguments: m, n, k, whether A and B are stored transposed, threads.
void run(benchmark::State& state, Variant variant) {
    const auto m = std::size_t(state.range(0)), n = std::size_t(state.range(1)), k = std::size_t(state.range(2));
    const Transpose ta = state.range(3) ? Transpose::yes : Transpose::no;
    const Transpose tb = state.range(4) ? Transpose::yes : Transpose::no;
    const int threads = int(state.range(5));
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
    const GemmShape s{m, n, k, ta, tb, ta == Transpose::no ? k : m, tb == Transpose::no ? n : k, n};
    const auto a = random_matrix(m * k, 1), b = random_matrix(k * n, 2);
    std::vector<float> c(m * n);
    gan::kernels::PackedA<float> packed(m, k, ta, a.data(), s.lda);
    for (auto _ : state) {
        if (variant == Variant::plain)
            gan::kernels::gemm(gan::cpu{}, s, a.data(), b.data(), c.data(), false);
        else
            gan::kernels::gemm(gan::cpu{}, s, packed, b.data(), c.data(), false);
        benchmark::DoNotOptimize(c.data());
        benchmark::ClobberMemory();
    }
    const double flops = 2.0 * double(m) * double(n) * double(k);
    state.counters["GFLOP/s"] = benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
    state.counters["peak_fraction"] =
        benchmark::Counter(flops * 1e-9 / (peak_gflops() * threads), benchmark::Counter::kIsIterationInvariantRate);
}

void shapes(benchmark::internal::Benchmark* b) {
    b->ArgNames({"m", "n", "k", "ta", "tb", "threads"});
    b->ComputeStatistics("max", [](const std::vector<double>& v) { return *std::max_element(v.begin(), v.end()); });
    const long list[][5] = {
        // U-Net encoder Conv2d (C_in -> C_out at output H×W): W[C_out × 16·C_in] · cols
        {64, 4096, 48, 0, 0},     // 3 -> 64 at 64×64
        {128, 1024, 1024, 0, 0},  // 64 -> 128 at 32×32
        {256, 256, 2048, 0, 0},   // 128 -> 256 at 16×16
        {512, 64, 4096, 0, 0},    // 256 -> 512 at 8×8
        {512, 16, 8192, 0, 0},    // 512 -> 512 at 4×4
        {512, 4, 8192, 0, 0},     // 512 -> 512 at 2×2
        {512, 1, 8192, 0, 0},     // 512 -> 512 at 1×1
        // U-Net decoder ConvTranspose2d (C_in -> C_out from input H×W; C_in counts the skip):
        // Wᵀ[16·C_out × C_in] · X, the weight stored C_in × 16·C_out as PyTorch does
        {8192, 1, 512, 1, 0},     // 512 -> 512 from 1×1
        {8192, 4, 1024, 1, 0},    // 1024 -> 512 from 2×2
        {8192, 16, 1024, 1, 0},   // 1024 -> 512 from 4×4
        {4096, 64, 1024, 1, 0},   // 1024 -> 256 from 8×8
        {2048, 256, 512, 1, 0},   // 512 -> 128 from 16×16
        {1024, 1024, 256, 1, 0},  // 256 -> 64 from 32×32
        {48, 4096, 128, 1, 0},    // 128 -> 3 from 64×64
        // Conv2d weight gradients dY[C_out × H·W] · colsᵀ
        {128, 1024, 1024, 0, 1},  // 64 -> 128 at 32×32
        {256, 2048, 256, 0, 1},   // 128 -> 256 at 16×16
        {512, 4096, 64, 0, 1},    // 256 -> 512 at 8×8: K = 64 pixels, C (the gradient) 8 MiB
        // Conv2d input gradients Wᵀ · dY (then col2im)
        {4096, 64, 512, 1, 0},    // 256 -> 512 at 8×8
        // ConvTranspose2d weight gradients X · dcolsᵀ
        {1024, 4096, 64, 0, 1},   // 1024 -> 256 from 8×8: C 16 MiB
        // square, for comparison with BLAS figures
        {1024, 1024, 1024, 0, 0},
    };
    for (const auto& shape : list)
        for (long threads : {1, 2}) b->Args({shape[0], shape[1], shape[2], shape[3], shape[4], threads});
}

}  // namespace

BENCHMARK_CAPTURE(run, gemm, Variant::plain)->Apply(shapes)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(run, gemm_packed_a, Variant::packed_a)->Apply(shapes)->UseRealTime()->Unit(benchmark::kMicrosecond);

// Benchmarks of the core: seeded initialisation throughput, and the FMA peak that the kernel
// benchmarks compare against.
#include <benchmark/benchmark.h>
#include <gan/gan.hpp>
#include <tbb/task_arena.h>

#include <cmath>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "peak.hpp"

static void BM_fma_peak(benchmark::State& state) {
    double gflops = 0;
    for (auto _ : state) gflops = gan_bench::measure_fma_peak_gflops();
    state.counters["GFLOP/s"] = gflops;
}
BENCHMARK(BM_fma_peak)->Iterations(1)->Unit(benchmark::kMillisecond);

static void BM_fill_normal(benchmark::State& state) {
    gan::Tensor<float, gan::Shape<512, 4, 4>> weights(1024);  // the size of one 512->512 k4 conv
    gan::Random rng(1);
    for (auto _ : state) {
        gan::fill_normal(weights, 0.0, 0.02, rng);
        benchmark::DoNotOptimize(weights.data());
    }
    state.SetItemsProcessed(state.iterations() * std::int64_t(weights.size()));
}
BENCHMARK(BM_fill_normal)->Unit(benchmark::kMillisecond);

// One Adam step over 2^25 parameters (a 128x128 pix2pix step updates about 45 M, G and D):
// seven streams per element, so memory traffic and the square root and divisions bound it, not
// FMAs. The moments in float32 (7 × 4 bytes per element) or bfloat16 (5 × 4 + 4 × 2 bytes, plus
// a hash per element for the stochastic rounding). state.range(0): threads.
template <class Moment>
static void BM_adam_update(benchmark::State& state) {
    const std::size_t n = std::size_t(1) << 25;
    std::vector<float> param(n, 0.5f), grad(n, 0.01f);
    std::vector<Moment> exp_avg(n), exp_avg_sq(n);
    const gan::kernels::AdamStep step{2e-4, 0.5, 0.999, 1e-8, 0.0, 2e-4 / (1 - 0.5), std::sqrt(1 - 0.999)};
    tbb::task_arena arena(int(state.range(0)));
    std::uint32_t key = 0;
    for (auto _ : state) {
        arena.execute([&] {
            if constexpr (std::is_same_v<Moment, float>)
                gan::kernels::adam_update(gan::cpu{}, step, param.data(), grad.data(), exp_avg.data(), exp_avg_sq.data(), n);
            else
                gan::kernels::adam_update(gan::cpu{}, step, param.data(), grad.data(), exp_avg.data(), exp_avg_sq.data(), n,
                                          ++key);
        });
        benchmark::DoNotOptimize(param.data());
    }
    state.SetItemsProcessed(state.iterations() * std::int64_t(n));
    state.SetBytesProcessed(state.iterations() * std::int64_t(n * (5 * sizeof(float) + 4 * sizeof(Moment))));
}
BENCHMARK(BM_adam_update<float>)->Arg(1)->Arg(2)->ArgName("threads")->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_adam_update<gan::bfloat16>)->Arg(1)->Arg(2)->ArgName("threads")->UseRealTime()->Unit(benchmark::kMillisecond);

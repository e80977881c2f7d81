// Benchmarks of the core: seeded initialisation throughput, and the FMA peak that the kernel
// benchmarks compare against.
#include <benchmark/benchmark.h>
#include <gan/gan.hpp>

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

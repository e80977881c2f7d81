#pragma once
// The machine's measured single-precision FMA peak, which benchmarks report their GFLOP/s
// against. Measured, not looked up: a VM's sustained peak is what matters.
#include <benchmark/benchmark.h>
#include <xsimd/xsimd.hpp>

#include <chrono>

namespace gan_bench {

// GFLOP/s of one core running independent FMA chains on the widest vectors xsimd knows.
// Twelve accumulators hide the FMA latency (4 cycles, 2 ports).
inline double measure_fma_peak_gflops() {
    using batch = xsimd::batch<float>;
    constexpr int chains = 12;
    batch acc[chains];
    for (int i = 0; i < chains; ++i) acc[i] = batch(1.0f + 0.001f * float(i));
    const batch a(0.999999f), b(1e-7f);
    constexpr long iterations = 20'000'000;
    const auto start = std::chrono::steady_clock::now();
    for (long it = 0; it < iterations; ++it)
        for (int i = 0; i < chains; ++i) acc[i] = xsimd::fma(acc[i], a, b);
    const auto stop = std::chrono::steady_clock::now();
    for (int i = 0; i < chains; ++i) benchmark::DoNotOptimize(acc[i]);
    const double seconds = std::chrono::duration<double>(stop - start).count();
    return 2.0 * double(batch::size) * chains * double(iterations) / seconds * 1e-9;
}

}  // namespace gan_bench

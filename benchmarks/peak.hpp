#pragma once
// The machine's measured single-precision FMA peak, which benchmarks report their GFLOP/s
// against. Measured, not looked up: a VM's sustained peak is what matters.
#include <benchmark/benchmark.h>
#include <xsimd/xsimd.hpp>

#include <time.h>

namespace gan_bench {

// Seconds of CPU time the calling thread has been given: a core shared with other processes
// still runs one FMA per cycle while it runs this thread, so the peak measured against it is
// right on a busy machine too (against the wall clock it would be the thread's share of it).
inline double thread_cpu_seconds() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

// GFLOP/s of one core running independent FMA chains on the widest vectors xsimd knows, per
// second of the thread's CPU time. Twelve accumulators hide the FMA latency (4 cycles, 2 ports).
inline double measure_fma_peak_gflops() {
    using batch = xsimd::batch<float>;
    constexpr int chains = 12;
    batch acc[chains];
    for (int i = 0; i < chains; ++i) acc[i] = batch(1.0f + 0.001f * float(i));
    const batch a(0.999999f), b(1e-7f);
    constexpr long iterations = 20'000'000;
    const double start = thread_cpu_seconds();
    for (long it = 0; it < iterations; ++it)
        for (int i = 0; i < chains; ++i) acc[i] = xsimd::fma(acc[i], a, b);
    const double stop = thread_cpu_seconds();
    for (int i = 0; i < chains; ++i) benchmark::DoNotOptimize(acc[i]);
    const double seconds = stop - start;
    return 2.0 * double(batch::size) * chains * double(iterations) / seconds * 1e-9;
}

}  // namespace gan_bench

// The machine's measured FP32 peak for benchmarks/compare: the FMA loop of benchmarks/peak.hpp on
// 1 and on 2 cores at once, and a large SGEMM (gan's gemm at 1 and 2 threads; Eigen's, one thread).
//   gan_harness_peak [--threads-max N]
// Prints one JSON line. Each figure is measured twice: against the wall clock, and against the
// CPU time the measuring threads were given ("cpu"), which stays right on a machine where other
// processes take turns on the cores (a time-sliced core still runs one FMA per cycle while it is
// ours). With free cores the two agree.
#include <gan/kernels/gemm.hpp>
#include <tbb/global_control.h>

#include <Eigen/Core>
#include <algorithm>
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "../peak.hpp"

namespace {

double clock_s(clockid_t id) {
    timespec t{};
    clock_gettime(id, &t);
    return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

struct Rate {
    double wall = 0, cpu = 0;  // GFLOP/s
};

// gan_bench::measure_fma_peak_gflops (per second of thread CPU time) on `threads` threads at
// once, summed; per thread the wall figure is rescaled by thread-CPU / wall time.
Rate fma_gflops(int threads) {
    std::vector<Rate> each(static_cast<std::size_t>(threads));
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
        pool.emplace_back([&each, t] {
            const double w0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_THREAD_CPUTIME_ID);
            const double g = gan_bench::measure_fma_peak_gflops();
            const double w1 = clock_s(CLOCK_MONOTONIC), c1 = clock_s(CLOCK_THREAD_CPUTIME_ID);
            each[std::size_t(t)] = {g * (c1 - c0) / std::max(1e-9, w1 - w0), g};
        });
    for (auto& t : pool) t.join();
    Rate sum;
    for (const auto& g : each) {
        sum.wall += g.wall;
        sum.cpu += g.cpu;
    }
    return sum;
}

struct Seconds {
    double wall = 1e30, cpu = 1e30;  // best of the repeats; cpu: process CPU time / threads
};

template <class F>
Seconds best_seconds(int repeats, int threads, F&& f) {
    f();  // warm-up: packing buffers, first touch
    Seconds best;
    for (int i = 0; i < repeats; ++i) {
        const double w0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
        f();
        const double w1 = clock_s(CLOCK_MONOTONIC), c1 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
        best.wall = std::min(best.wall, w1 - w0);
        best.cpu = std::min(best.cpu, (c1 - c0) / threads);
    }
    return best;
}

}  // namespace

int main(int argc, char** argv) {
    int threads_max = 2;
    if (argc > 2 && std::string(argv[1]) == "--threads-max") threads_max = std::max(1, std::atoi(argv[2]));
    constexpr std::size_t n = 2048;
    const double flop = 2.0 * double(n) * double(n) * double(n);
    std::vector<float> a(n * n), b(n * n), c(n * n);
    for (std::size_t i = 0; i < n * n; ++i) {
        a[i] = float((i * 7919) % 1000) * 1e-3f - 0.5f;
        b[i] = float((i * 104729) % 1000) * 1e-3f - 0.5f;
    }
    std::vector<Rate> fma, sgemm;
    for (int t = 1; t <= threads_max; ++t) {
        // Best of three: a free core gives the same figure every time; contention only lowers it.
        Rate best;
        for (int r = 0; r < 3; ++r) {
            const Rate g = fma_gflops(t);
            best = {std::max(best.wall, g.wall), std::max(best.cpu, g.cpu)};
        }
        fma.push_back(best);
    }
    for (int t = 1; t <= threads_max; ++t) {
        tbb::global_control control(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(t));
        const gan::kernels::GemmShape s{.m = n, .n = n, .k = n, .lda = n, .ldb = n, .ldc = n};
        const Seconds sec = best_seconds(3, t, [&] { gan::kernels::gemm(gan::cpu{}, s, a.data(), b.data(), c.data(), false); });
        sgemm.push_back({flop / sec.wall * 1e-9, flop / sec.cpu * 1e-9});
    }
    Rate eigen;
    {
        using M = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
        const Eigen::Map<const M> ea(a.data(), n, n), eb(b.data(), n, n);
        Eigen::Map<M> ec(c.data(), n, n);
        const Seconds sec = best_seconds(3, 1, [&] { ec.noalias() = ea * eb; });
        eigen = {flop / sec.wall * 1e-9, flop / sec.cpu * 1e-9};
    }
    auto print = [&](const char* name, const std::vector<Rate>& r, bool cpu) {
        std::printf("\"%s\": {", name);
        for (std::size_t t = 0; t < r.size(); ++t) std::printf("%s\"%zu\": %.2f", t ? ", " : "", t + 1, cpu ? r[t].cpu : r[t].wall);
        std::printf("}");
    };
    std::printf("{");
    print("fma", fma, false);
    std::printf(", ");
    print("fma_cpu", fma, true);
    std::printf(", \"sgemm_n\": %zu, ", n);
    print("gan_sgemm", sgemm, false);
    std::printf(", ");
    print("gan_sgemm_cpu", sgemm, true);
    std::printf(", \"eigen_sgemm\": {\"1\": %.2f}, \"eigen_sgemm_cpu\": {\"1\": %.2f}}\n", eigen.wall, eigen.cpu);
    return 0;
}

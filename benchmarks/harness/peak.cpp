// The machine's measured FP32 peak for benchmarks/compare: the FMA loop of benchmarks/peak.hpp on
// 1 and on 2 cores at once, and a large SGEMM (gan's gemm at 1 and 2 threads; Eigen's, one thread).
//   gan_harness_peak [--threads-max N]
// Prints one JSON line.
#include <gan/kernels/gemm.hpp>
#include <tbb/global_control.h>

#include <Eigen/Core>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "../peak.hpp"

namespace {

double fma_gflops(int threads) {
    std::vector<double> each(static_cast<std::size_t>(threads));
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) pool.emplace_back([&each, t] { each[std::size_t(t)] = gan_bench::measure_fma_peak_gflops(); });
    for (auto& t : pool) t.join();
    double sum = 0;
    for (double g : each) sum += g;
    return sum;
}

template <class F>
double best_seconds(int repeats, F&& f) {
    f();  // warm-up: packing buffers, first touch
    double best = 1e30;
    for (int i = 0; i < repeats; ++i) {
        const auto start = std::chrono::steady_clock::now();
        f();
        best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
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
    std::printf("{\"fma\": {");
    for (int t = 1; t <= threads_max; ++t) {
        // Best of three: a free core gives the same figure every time; contention only lowers it.
        double best = 0;
        for (int r = 0; r < 3; ++r) best = std::max(best, fma_gflops(t));
        std::printf("%s\"%d\": %.2f", t > 1 ? ", " : "", t, best);
    }
    std::printf("}, \"sgemm_n\": %zu, \"gan_sgemm\": {", n);
    for (int t = 1; t <= threads_max; ++t) {
        tbb::global_control control(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(t));
        const gan::kernels::GemmShape s{.m = n, .n = n, .k = n, .lda = n, .ldb = n, .ldc = n};
        const double sec = best_seconds(3, [&] { gan::kernels::gemm(gan::cpu{}, s, a.data(), b.data(), c.data(), false); });
        std::printf("%s\"%d\": %.2f", t > 1 ? ", " : "", t, flop / sec * 1e-9);
    }
    {
        using M = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
        const Eigen::Map<const M> ea(a.data(), n, n), eb(b.data(), n, n);
        Eigen::Map<M> ec(c.data(), n, n);
        const double sec = best_seconds(3, [&] { ec.noalias() = ea * eb; });
        std::printf("}, \"eigen_sgemm\": {\"1\": %.2f}}\n", flop / sec * 1e-9);
    }
    return 0;
}

// The simulator's part of the comparison harness (benchmarks/compare): whole training samples of
// the default dataset geometry (gan::physics::dataset_settings{}: 64×64, 200 kV, [001], 69-beam
// fixed pool, Bird–King absorption, structure image included) per second, at a given thread count.
//   gan_harness_physics --threads N --samples S
// Prints one JSON line. Per-pixel costs against beam count come from gan_bench_physics.
#include <gan/physics/dataset.hpp>
#include <tbb/global_control.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "harness_common.hpp"

int main(int argc, char** argv) {
    int threads = 1, samples = 4;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string key = argv[i];
        if (key == "--threads") threads = std::max(1, std::atoi(argv[i + 1]));
        else if (key == "--samples") samples = std::max(1, std::atoi(argv[i + 1]));
    }
    tbb::global_control control(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
    const gan::physics::dataset_settings settings;
    double pool = 0;
    const rusage before = harness::usage();
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < samples; ++i) {
        const auto sample = gan::physics::generate_sample(gan::physics::sample_structure(settings.seed, std::uint64_t(i)), settings);
        pool += sample.geometry.pool_size;
    }
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const rusage after = harness::usage();
    auto secs = [](const timeval& t) { return double(t.tv_sec) + 1e-6 * double(t.tv_usec); };
    const double cpu = secs(after.ru_utime) - secs(before.ru_utime) + secs(after.ru_stime) - secs(before.ru_stime);
    std::printf("{\"threads\": %d, \"samples\": %d, \"image_size\": %d, \"mean_beams\": %.1f, \"wall_s\": %.4f, "
                "\"cpu_s\": %.4f, \"patterns_per_s\": %.4f, \"peak_rss_kib\": %ld}\n",
                threads, samples, settings.image_size, pool / samples, wall, cpu, samples / wall, after.ru_maxrss);
    return 0;
}

#pragma once
// Shared by the comparison harness's C++ programs (ours and the dlib peer): argument parsing,
// wall-clock sampling, and the one JSON line each run prints for benchmarks/compare.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace harness {

struct Args {
    int size = 128;
    std::string mode = "infer";  // infer | train
    int threads = 1;
    int runs = 20;
    int warmup = 3;
};

inline Args parse(int argc, char** argv) {
    Args a;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string key = argv[i], value = argv[i + 1];
        if (key == "--size") a.size = std::atoi(value.c_str());
        else if (key == "--mode") a.mode = value;
        else if (key == "--threads") a.threads = std::atoi(value.c_str());
        else if (key == "--runs") a.runs = std::atoi(value.c_str());
        else if (key == "--warmup") a.warmup = std::atoi(value.c_str());
        else {
            std::fprintf(stderr, "unknown option %s\n", key.c_str());
            std::exit(2);
        }
    }
    if (a.runs < 1 || a.threads < 1 || a.warmup < 0) {
        std::fprintf(stderr, "bad --runs/--threads/--warmup\n");
        std::exit(2);
    }
    return a;
}

inline rusage usage() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u;
}

struct Samples {
    std::vector<double> ms;
    double minflt_per_run = 0;   // minor page faults per timed run (0 in a clean steady state)
    double cpu_s = 0;            // process CPU time over the timed runs
};

// Warm-up runs, then `runs` timed runs of f, each timed on its own.
template <class F>
Samples sample(const Args& a, F&& f) {
    for (int i = 0; i < a.warmup; ++i) f();
    Samples s;
    const rusage before = usage();
    for (int i = 0; i < a.runs; ++i) {
        const auto start = std::chrono::steady_clock::now();
        f();
        s.ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    const rusage after = usage();
    s.minflt_per_run = double(after.ru_minflt - before.ru_minflt) / a.runs;
    auto secs = [](const timeval& t) { return double(t.tv_sec) + 1e-6 * double(t.tv_usec); };
    s.cpu_s = secs(after.ru_utime) - secs(before.ru_utime) + secs(after.ru_stime) - secs(before.ru_stime);
    return s;
}

// One line of JSON on stdout; benchmarks/compare computes the statistics.
inline void report(const char* side, const Args& a, const Samples& s, double gflop, const std::string& extra = "") {
    std::printf("{\"side\": \"%s\", \"size\": %d, \"mode\": \"%s\", \"threads\": %d, \"gflop\": %.6f, "
                "\"peak_rss_kib\": %ld, \"minflt_per_run\": %.1f, \"cpu_s\": %.4f, \"samples_ms\": [",
                side, a.size, a.mode.c_str(), a.threads, gflop, usage().ru_maxrss, s.minflt_per_run, s.cpu_s);
    for (std::size_t i = 0; i < s.ms.size(); ++i) std::printf("%s%.4f", i ? ", " : "", s.ms[i]);
    std::printf("]%s%s}\n", extra.empty() ? "" : ", ", extra.c_str());
    std::fflush(stdout);
}

}  // namespace harness

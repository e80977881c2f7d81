#pragma once
// Seeded random numbers that are the same on every machine, compiler and thread count.
//
// std::mt19937 is portable but std::normal_distribution is not (each standard library draws
// normals differently), and a sequential engine cannot be split across threads without the result
// depending on the split. So gan uses a counter-based generator, Philox4x32-10 (Salmon et al.,
// "Parallel random numbers: as easy as 1, 2, 3", SC'11; the generator cuRAND also offers): the
// value number i of a stream is a pure function of (seed, i). Normals come from Box–Muller with a
// logarithm and sine/cosine written here with explicit fused multiply-adds, so their bits do not
// depend on the C library or on the compiler's contraction settings.
#include <array>
#include <cmath>
#include <cstdint>

#include "gan/version.hpp"

GAN_NAMESPACE_BEGIN

// Philox4x32 with 10 rounds: maps a 128-bit counter and a 64-bit key to 128 random bits.
class Philox4x32 {
public:
    using block = std::array<std::uint32_t, 4>;

    explicit constexpr Philox4x32(std::uint64_t key) noexcept
        : key_{std::uint32_t(key), std::uint32_t(key >> 32)} {}

    constexpr block operator()(block counter) const noexcept {
        std::array<std::uint32_t, 2> key = key_;
        for (int round = 0; round < 10; ++round) {
            if (round > 0) {
                key[0] += 0x9E3779B9u;  // golden ratio
                key[1] += 0xBB67AE85u;  // sqrt(3) - 1
            }
            const std::uint64_t p0 = std::uint64_t(0xD2511F53u) * counter[0];
            const std::uint64_t p1 = std::uint64_t(0xCD9E8D57u) * counter[2];
            counter = {std::uint32_t(p1 >> 32) ^ counter[1] ^ key[0], std::uint32_t(p1),
                       std::uint32_t(p0 >> 32) ^ counter[3] ^ key[1], std::uint32_t(p0)};
        }
        return counter;
    }

private:
    std::array<std::uint32_t, 2> key_;
};

namespace detail {

// Natural logarithm of x > 0 from IEEE arithmetic only: x = m·2^e with m in [√½, √2), then
// log m = 2 atanh(z), z = (m − 1)/(m + 1), |z| ≤ 0.172, summed to 1e-17.
inline double portable_log(double x) noexcept {
    int e = 0;
    double m = std::frexp(x, &e);  // exact: m in [0.5, 1)
    if (m < 0.70710678118654752440) {
        m *= 2.0;  // exact
        e -= 1;
    }
    const double z = (m - 1.0) / (m + 1.0);
    const double w = z * z;
    // Σ w^k / (2k + 1), k = 0..12, by Horner with explicit FMA.
    double poly = 1.0 / 25.0;
    for (int k = 11; k >= 0; --k) poly = std::fma(poly, w, 1.0 / double(2 * k + 1));
    constexpr double ln2_hi = 6.93147180369123816490e-01;  // ln 2 with the low bits cleared
    constexpr double ln2_lo = 1.90821492927058770002e-10;  // ln 2 − ln2_hi
    const double log_m = 2.0 * z * poly;
    return std::fma(double(e), ln2_hi, std::fma(double(e), ln2_lo, log_m));
}

// sin(x) and cos(x) for |x| ≤ π/2 by Taylor series (truncation error below 2e-18).
inline void portable_sincos_small(double x, double& s, double& c) noexcept {
    const double x2 = x * x;
    double ps = 0.0, pc = 0.0;
    // sin x = x Σ (−x²)^k / (2k+1)!, cos x = Σ (−x²)^k / (2k)!, k = 0..12
    double fs = 1.0, fc = 1.0;  // reciprocal factorials, computed from the top down below
    std::array<double, 13> inv_odd{}, inv_even{};
    for (int k = 0; k <= 12; ++k) {
        inv_even[k] = fc;
        fs = fc / double(2 * k + 1);
        inv_odd[k] = fs;
        fc = fs / double(2 * k + 2);
    }
    for (int k = 12; k >= 0; --k) {
        const double sign = (k % 2) ? -1.0 : 1.0;
        ps = std::fma(ps, x2, sign * inv_odd[k]);
        pc = std::fma(pc, x2, sign * inv_even[k]);
    }
    s = x * ps;
    c = pc;
}

// sin(2πu) and cos(2πu) for u in [0, 1): the quarter turn is split off exactly.
inline void portable_sincos_turns(double u, double& s, double& c) noexcept {
    const double quarters = u * 4.0;                 // exact
    const double q = std::floor(quarters);           // 0..3
    const double r = quarters - q;                   // exact, in [0, 1)
    constexpr double half_pi = 1.57079632679489661923;
    double sr = 0.0, cr = 0.0;
    portable_sincos_small(r * half_pi, sr, cr);
    switch (int(q)) {
        case 0: s = sr;  c = cr;  break;
        case 1: s = cr;  c = -sr; break;
        case 2: s = -sr; c = -cr; break;
        default: s = -cr; c = sr; break;
    }
}

}  // namespace detail

// A reproducible stream of random numbers: a seed, and a position in the stream.
// The state is two integers, so checkpoints can save and restore it exactly.
class Random {
public:
    explicit Random(std::uint64_t seed = 0, std::uint64_t position = 0) noexcept
        : seed_(seed), position_(position) {}

    std::uint64_t seed() const noexcept { return seed_; }
    // Number of 128-bit blocks consumed so far; restoring (seed, position) resumes the stream.
    std::uint64_t position() const noexcept { return position_; }

    // 128 random bits at an absolute block index, without advancing the stream.
    Philox4x32::block block_at(std::uint64_t index) const noexcept {
        return Philox4x32(seed_)({std::uint32_t(index), std::uint32_t(index >> 32), 0u, 0u});
    }
    // Reserves `count` blocks and returns the index of the first; parallel code can then fill
    // element i from block first + i / k, whatever the thread that computes it.
    std::uint64_t reserve(std::uint64_t count) noexcept {
        const std::uint64_t first = position_;
        position_ += count;
        return first;
    }

    // Uniform in the open interval (0, 1), 53 random bits.
    static double uniform_from(std::uint32_t hi, std::uint32_t lo) noexcept {
        const std::uint64_t bits = (std::uint64_t(hi) << 21) ^ (std::uint64_t(lo) >> 11);  // 53 bits
        return (double(bits & ((std::uint64_t(1) << 53) - 1)) + 0.5) * 0x1.0p-53;
    }
    // Two independent standard normals from one block (Box–Muller).
    static std::array<double, 2> normals_from(const Philox4x32::block& b) noexcept {
        const double u1 = uniform_from(b[0], b[1]);
        const double u2 = uniform_from(b[2], b[3]);
        const double radius = std::sqrt(-2.0 * detail::portable_log(u1));
        double s = 0.0, c = 0.0;
        detail::portable_sincos_turns(u2, s, c);
        return {radius * c, radius * s};
    }

    double uniform() noexcept {
        const auto b = block_at(reserve(1));
        return uniform_from(b[0], b[1]);
    }
    double normal(double mean = 0.0, double stddev = 1.0) noexcept {
        const auto z = normals_from(block_at(reserve(1)));
        return mean + stddev * z[0];
    }
    // Bernoulli(p): true with probability p (dropout masks).
    bool bernoulli(double p) noexcept { return uniform() < p; }

private:
    std::uint64_t seed_;
    std::uint64_t position_;
};

GAN_NAMESPACE_END

#pragma once
// bfloat16: the upper half of an IEEE float32 (8 exponent bits, 7 stored mantissa bits), so it
// spans float's range with about 2.4 significant digits. gan stores optional lower-precision
// state in it (Adam's moments, AdamOptions::moments); arithmetic always happens in float.
//
// Two roundings from float:
// - to nearest, ties to even: what a single conversion wants (loading a float32 checkpoint);
// - stochastic: rounds up with probability equal to the discarded fraction, so the rounding is
//   unbiased on average. A running average that changes by less than half a bfloat16 step per
//   update (Adam's second moment with β2 = 0.999 changes by 0.1 % a step; half a step is 0.2 to
//   0.4 %) never moves under round-to-nearest; stochastically rounded, it follows its float
//   value in expectation. The random bits come from a hash of a counter (the element's index
//   and the step), so results do not depend on threads or on the order of the work.
#include <bit>
#include <cstdint>

#include "gan/version.hpp"

GAN_NAMESPACE_BEGIN

struct bfloat16 {
    std::uint16_t bits = 0;

    static constexpr bfloat16 from_bits(std::uint16_t b) noexcept { return bfloat16{b}; }

    // Round to nearest, ties to even; NaN stays NaN.
    static constexpr bfloat16 nearest(float x) noexcept {
        const std::uint32_t u = std::bit_cast<std::uint32_t>(x);
        if (is_nan_bits(u)) return from_bits(quiet_nan_bits(u));
        return from_bits(std::uint16_t((u + 0x7FFFu + ((u >> 16) & 1u)) >> 16));
    }
    // Rounds x up (in magnitude) to the next bfloat16 when the 16 discarded bits plus
    // `random16` (uniform in [0, 65536)) carry into the kept ones: with probability equal to the
    // discarded fraction. NaN stays NaN.
    static constexpr bfloat16 stochastic(float x, std::uint32_t random16) noexcept {
        const std::uint32_t u = std::bit_cast<std::uint32_t>(x);
        if (is_nan_bits(u)) return from_bits(quiet_nan_bits(u));
        return from_bits(std::uint16_t((u + (random16 & 0xFFFFu)) >> 16));
    }

    constexpr float to_float() const noexcept { return std::bit_cast<float>(std::uint32_t(bits) << 16); }
    explicit constexpr operator float() const noexcept { return to_float(); }
    friend constexpr bool operator==(bfloat16, bfloat16) = default;

private:
    static constexpr bool is_nan_bits(std::uint32_t u) noexcept { return (u & 0x7FFFFFFFu) > 0x7F800000u; }
    // Truncating a NaN whose payload sits in the low 16 bits would give infinity: keep it a NaN.
    static constexpr std::uint16_t quiet_nan_bits(std::uint32_t u) noexcept { return std::uint16_t((u >> 16) | 0x0040u); }
};
static_assert(sizeof(bfloat16) == 2);

// 32 well-mixed bits from a 32-bit counter: the finaliser of MurmurHash3 (Appleby), a bijection
// whose every input bit changes about half the output bits. Cheap enough to run per element in
// a memory-bound kernel (two multiplies), where Philox (core/random.hpp) would cost ten rounds.
constexpr std::uint32_t mix32(std::uint32_t x) noexcept {
    x ^= x >> 16;
    x *= 0x85EBCA6Bu;
    x ^= x >> 13;
    x *= 0xC2B2AE35u;
    x ^= x >> 16;
    return x;
}

GAN_NAMESPACE_END

// bfloat16 rounding, against a reference written from the definition (neighbours and distances
// in double), and the stochastic rounding's exact unbiasedness over all 2^16 random inputs.
#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

#include <gan/core/bfloat16.hpp>
#include <gan/core/random.hpp>

namespace {

// The two bfloat16 values around a finite x (equal when x is one), by truncating its bits.
void neighbours(float x, gan::bfloat16& toward_zero, gan::bfloat16& away) {
    const std::uint32_t u = std::bit_cast<std::uint32_t>(x);
    toward_zero = gan::bfloat16::from_bits(std::uint16_t(u >> 16));
    away = gan::bfloat16::from_bits(std::uint16_t((u & 0xFFFFu) ? (u >> 16) + 1 : u >> 16));
}

// Round to nearest, ties to the even last bit, from distances in double.
gan::bfloat16 nearest_by_definition(float x) {
    gan::bfloat16 lo, hi;
    neighbours(x, lo, hi);
    // Past the largest finite value, IEEE rounds as if 2^128 were the next one (and gives infinity).
    const double hi_value = std::isinf(hi.to_float()) ? std::copysign(std::ldexp(1.0, 128), double(x)) : double(hi.to_float());
    const double d_lo = std::abs(double(x) - double(lo.to_float())), d_hi = std::abs(hi_value - double(x));
    if (d_lo != d_hi) return d_lo < d_hi ? lo : hi;
    return (lo.bits & 1u) == 0 ? lo : hi;
}

}  // namespace

TEST_CASE("bfloat16: round to nearest, ties to even, against the definition") {
    CHECK(gan::bfloat16::nearest(1.0f).to_float() == 1.0f);
    CHECK(gan::bfloat16::nearest(-2.5f).to_float() == -2.5f);
    // 1 + 2^-8 lies halfway between 1 and 1 + 2^-7: the even one, 1. 1 + 3·2^-8 lies halfway
    // between 1 + 2^-7 (odd) and 1 + 2^-6 (even).
    CHECK(gan::bfloat16::nearest(1.0f + 0x1p-8f).to_float() == 1.0f);
    CHECK(gan::bfloat16::nearest(1.0f + 3 * 0x1p-8f).to_float() == 1.0f + 0x1p-6f);
    CHECK(std::isinf(gan::bfloat16::nearest(std::numeric_limits<float>::infinity()).to_float()));
    // Halfway between the largest bfloat16 (odd last bit) and 2^128: overflows, as IEEE rounds.
    CHECK(std::isinf(gan::bfloat16::nearest(std::bit_cast<float>(0x7F7F8000u)).to_float()));
    CHECK(std::isnan(gan::bfloat16::nearest(std::numeric_limits<float>::quiet_NaN()).to_float()));
    // A NaN whose payload lies in the discarded bits must not turn into infinity.
    CHECK(std::isnan(gan::bfloat16::nearest(std::bit_cast<float>(0x7F800001u)).to_float()));

    const gan::Philox4x32 bits(42);
    for (std::uint32_t i = 0; i < 20000; ++i) {
        // Random bit patterns of finite floats: every exponent, signs, subnormals.
        const std::uint32_t u = bits({i, 0, 0, 0})[0];
        const float x = std::bit_cast<float>(u);
        if (!std::isfinite(x)) continue;
        CAPTURE(x);
        CHECK(gan::bfloat16::nearest(x) == nearest_by_definition(x));
    }
}

TEST_CASE("bfloat16: stochastic rounding picks a neighbour and is exactly unbiased over its random bits") {
    for (const float x : {1.0f + 0x1p-9f, 0.3f, -0.3f, 7.1e-6f, -123.456f, 1e-40f /* subnormal */, 2.0f}) {
        CAPTURE(x);
        gan::bfloat16 lo, hi;
        neighbours(x, lo, hi);
        double sum = 0;
        int up = 0;
        for (std::uint32_t r = 0; r < 65536; ++r) {
            const gan::bfloat16 y = gan::bfloat16::stochastic(x, r);
            REQUIRE((y == lo || y == hi));
            up += y == hi && hi != lo;
            sum += double(y.to_float());
        }
        // Exactly the discarded fraction of the 2^16 inputs round away from zero, so the mean
        // is x itself (the sum is exact in double).
        CHECK(up == int(std::bit_cast<std::uint32_t>(x) & 0xFFFFu));
        CHECK(sum / 65536 == double(x));
    }
    CHECK(std::isnan(gan::bfloat16::stochastic(std::bit_cast<float>(0x7F800001u), 0xFFFFu).to_float()));
    CHECK(gan::bfloat16::stochastic(1.0f, 0xFFFFu).to_float() == 1.0f);  // representable: unchanged
}

TEST_CASE("mix32 spreads consecutive counters over all 16-bit halves") {
    // The stochastic rounding takes 16 bits of mix32(index ^ key) per element: over a run of
    // consecutive indices both halves must look uniform (a bias would bias the rounding).
    constexpr int n = 1 << 16;
    double low = 0, high = 0;
    int buckets_low[16] = {}, buckets_high[16] = {};
    for (std::uint32_t k = 0; k < n; ++k) {
        const std::uint32_t r = gan::mix32(k ^ 0x2545F491u);
        low += double(r & 0xFFFFu);
        high += double(r >> 16);
        ++buckets_low[(r & 0xFFFFu) >> 12];
        ++buckets_high[r >> 28];
    }
    // Mean of uniform [0, 65536): 32767.5, standard error 65536/sqrt(12 n) ≈ 74.
    CHECK(low / n == doctest::Approx(32767.5).epsilon(0.01));
    CHECK(high / n == doctest::Approx(32767.5).epsilon(0.01));
    for (int b = 0; b < 16; ++b) {
        CAPTURE(b);
        // 4096 expected per bucket, standard deviation 62: 5 sigma.
        CHECK(std::abs(buckets_low[b] - 4096) < 320);
        CHECK(std::abs(buckets_high[b] - 4096) < 320);
    }
}

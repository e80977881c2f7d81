#include <doctest/doctest.h>

#include <gan/physics/structure_image.hpp>

#include "crystals.hpp"

#include <algorithm>

using namespace gan::physics;

namespace {

// Value at fractional (x, y) on an image whose last pixel repeats the first.
double at_fraction(const structure_image& im, double x, double y) {
    const int n = im.size - 1;
    return im.at(static_cast<int>(std::lround(y * n)), static_cast<int>(std::lround(x * n)));
}

}  // namespace

TEST_CASE("structure images are normalised 0..1, share the grid, and repeat the first pixel") {
    const auto x = gan_test::strontium_titanate();
    structure_image_settings s;
    s.pixels = 65;
    s.max_index = 32;
    for (const auto& im : {projected_potential_image(x, s), projected_electron_density_image(x, s)}) {
        CHECK(im.size == 65);
        CHECK(*std::min_element(im.pixels.begin(), im.pixels.end()) == 0.0);
        CHECK(*std::max_element(im.pixels.begin(), im.pixels.end()) == 1.0);
        for (int i = 0; i < im.size; ++i) {
            CHECK(std::abs(im.at(0, i) - im.at(im.size - 1, i)) < 1e-12);
            CHECK(std::abs(im.at(i, 0) - im.at(i, im.size - 1)) < 1e-12);
        }
        // 4mm about the origin, like the [001] projection of Pm-3m.
        for (int r = 0; r < im.size; ++r)
            for (int c = 0; c < im.size; ++c) {
                CHECK(std::abs(im.at(r, c) - im.at(c, r)) < 1e-12);
                CHECK(std::abs(im.at(r, c) - im.at(r, im.size - 1 - c)) < 1e-12);
            }
        // Atom columns sit where the atoms are: Sr at (0,0), Ti+O at (1/2,1/2), O at (1/2,0); the
        // empty point (1/4,1/4) is lower than any of them.
        const double empty = at_fraction(im, .25, .25);
        CHECK(at_fraction(im, 0, 0) > empty + 0.3);
        CHECK(at_fraction(im, .5, .5) > empty + 0.3);
        CHECK(at_fraction(im, .5, 0) > empty + 0.05);
    }
}

TEST_CASE("electron density weights heavy atoms more than the potential does") {
    // Peaks scale roughly with Z for the density and with Z^0.6-0.8 for the potential, so the lone
    // O column is weaker relative to the Sr column in the density.
    const auto x = gan_test::strontium_titanate();
    structure_image_settings s;
    s.pixels = 33;
    s.max_index = 24;
    const auto v = projected_potential_image(x, s);
    const auto rho = projected_electron_density_image(x, s);
    const double v_ratio = at_fraction(v, .5, 0) / at_fraction(v, 0, 0);
    const double rho_ratio = at_fraction(rho, .5, 0) / at_fraction(rho, 0, 0);
    CHECK(rho_ratio < v_ratio);
}

TEST_CASE("the synthesis equals the direct Fourier sum") {
    const auto x = gan_test::gallium_arsenide();
    structure_image_settings s;
    s.pixels = 16;
    s.max_index = 6;
    s.last_pixel_repeats_first = false;
    const auto im = projected_potential_image(x, s);
    std::vector<double> direct(static_cast<std::size_t>(s.pixels * s.pixels));
    for (int j = 0; j < s.pixels; ++j)
        for (int i = 0; i < s.pixels; ++i) {
            complex sum = 0;
            for (int h = -s.max_index; h <= s.max_index; ++h)
                for (int k = -s.max_index; k <= s.max_index; ++k)
                    sum += potential_coefficient(x, {h, k, 0}, 200.0) *
                           std::exp(complex(0, two_pi * (h * i + k * j) / s.pixels));
            CHECK(std::abs(sum.imag()) < 1e-12);
            direct[static_cast<std::size_t>(j * s.pixels + i)] = sum.real();
        }
    const double lo = *std::min_element(direct.begin(), direct.end());
    const double hi = *std::max_element(direct.begin(), direct.end());
    CHECK(lo == doctest::Approx(im.raw_min).epsilon(1e-12));
    CHECK(hi == doctest::Approx(im.raw_max).epsilon(1e-12));
    for (std::size_t p = 0; p < direct.size(); ++p) CHECK(std::abs((direct[p] - lo) / (hi - lo) - im.pixels[p]) < 1e-12);
}

TEST_CASE("projected potential converges with the number of Fourier terms") {
    const auto x = gan_test::strontium_titanate();
    structure_image_settings s;
    s.pixels = 64;
    double previous_change = 1.0;
    s.max_index = 16;
    auto previous = projected_potential_image(x, s);
    for (int m : {32, 63}) {
        s.max_index = m;
        const auto next = projected_potential_image(x, s);
        double change = 0;
        for (std::size_t p = 0; p < next.pixels.size(); ++p) change = std::max(change, std::abs(next.pixels[p] - previous.pixels[p]));
        CHECK(change < previous_change);
        previous_change = change;
        previous = next;
    }
    // Going from 32 to 63 terms moves no pixel by more than 1e-4, far below one 8-bit grey level.
    CHECK(previous_change < 1e-4);
}

TEST_CASE("structure image settings are validated") {
    const auto x = gan_test::strontium_titanate();
    structure_image_settings s;
    s.pixels = 1;
    CHECK_THROWS_AS(projected_potential_image(x, s), gan::invalid_argument);
    s.pixels = 8;
    s.max_index = 0;
    CHECK_THROWS_AS(projected_electron_density_image(x, s), gan::invalid_argument);
}

#include <doctest/doctest.h>

#include <cmath>

#include <gan/physics/constants.hpp>
#include <gan/physics/scattering_factors.hpp>
#include <gan/physics/structure_factor.hpp>

#include "crystals.hpp"

using namespace gan::physics;

TEST_CASE("relativistic wavelength and gamma match the reference table") {
    struct row { double kv, lambda, gamma; };
    for (const row& r : {row{100, 0.037014, 1.195695}, row{120, 0.033492, 1.234834}, row{200, 0.025079, 1.391390},
                        row{300, 0.019687, 1.587085}}) {
        CAPTURE(r.kv);
        CHECK(std::abs(electron_wavelength(r.kv) - r.lambda) <= 5e-7);  // half a unit of the table's last decimal
        CHECK(relativistic_gamma(r.kv) == doctest::Approx(r.gamma).epsilon(1e-6));
        CHECK(electron_wave_number(r.kv) == doctest::Approx(two_pi / electron_wavelength(r.kv)));
    }
    CHECK_THROWS_AS(electron_wavelength(0.0), gan::invalid_argument);
    CHECK_THROWS_AS(relativistic_gamma(-200.0), gan::invalid_argument);
}

TEST_CASE("element symbols map to atomic numbers and back") {
    CHECK(atomic_number("Sr") == 38);
    CHECK(atomic_number("O") == 8);
    CHECK(atomic_number("SR") == 38);
    CHECK(atomic_number("Ti4+") == 22);
    CHECK(atomic_number("O2-") == 8);
    CHECK(atomic_number("Lr") == 103);
    for (int z = 1; z <= max_atomic_number; ++z) CHECK(atomic_number(element_symbol(z)) == z);
    CHECK_THROWS_AS(atomic_number("Xx"), gan::invalid_argument);
    CHECK_THROWS_AS(atomic_number(""), gan::invalid_argument);
    CHECK_THROWS_AS(atomic_number("Bad"), gan::invalid_argument);
    CHECK_THROWS_AS(element_symbol(0), gan::invalid_argument);
    // volatile: with a constant 104, GCC inlines the call and warns (-Warray-bounds) about the
    // table read that the throw before it makes unreachable.
    volatile int beyond_the_table = max_atomic_number + 1;
    CHECK_THROWS_AS(electron_scattering_factor(beyond_the_table, 0.0), gan::invalid_argument);
    try {
        (void)make_atom("Qq", 0, 0, 0);
        FAIL("unknown element accepted");
    } catch (const gan::invalid_argument& e) {
        CHECK(std::string(e.what()).find("chemical symbol") != std::string::npos);
    }
}

TEST_CASE("Kirkland f_e(0) values, monotone decrease and 1/q^2 asymptote") {
    CHECK(electron_scattering_factor(8, 0.0) == doctest::Approx(1.99).epsilon(0.005));
    CHECK(electron_scattering_factor(22, 0.0) == doctest::Approx(8.74).epsilon(0.005));
    CHECK(electron_scattering_factor(38, 0.0) == doctest::Approx(13.06).epsilon(0.005));
    for (int z = 1; z <= max_atomic_number; ++z) {
        CAPTURE(z);
        const auto& p = kirkland_coefficients(z);
        double f0 = 0.0, lorentz = 0.0;
        for (int i = 0; i < 3; ++i) {
            f0 += p[2 * i] / p[2 * i + 1] + p[6 + 2 * i];
            lorentz += p[2 * i];
        }
        CHECK(electron_scattering_factor(z, 0.0) == doctest::Approx(f0).epsilon(1e-14));
        double previous = electron_scattering_factor(z, 0.0);
        bool monotone = true;
        for (double q = 0.01; q <= 12.0; q += 0.01) {
            const double f = electron_scattering_factor(z, q);
            monotone = monotone && f < previous;
            previous = f;
        }
        CHECK(monotone);
        const double q = 200.0;
        CHECK(electron_scattering_factor(z, q) * q * q == doctest::Approx(lorentz).epsilon(1e-3));
        // Mott-Bethe: f_x(0) = Z, and f_x falls off.
        CHECK(xray_form_factor(z, 0.0) == doctest::Approx(z).epsilon(1e-12));
        CHECK(xray_form_factor(z, 2.0) < xray_form_factor(z, 0.5));
    }
}

TEST_CASE("Mott-Bethe X-ray form factors are Z - 2 pi^2 a0 q^2 f_e(q)") {
    for (int z : {1, 8, 14, 31, 38, 79}) {
        for (double q : {0.5, 1.0, 2.0, 4.0}) {
            CAPTURE(z);
            CAPTURE(q);
            const double direct = z - 2.0 * pi * pi * codata::bohr_radius_angstrom * q * q * electron_scattering_factor(z, q);
            CHECK(xray_form_factor(z, q) == doctest::Approx(direct).epsilon(1e-10));
        }
    }
}

#include <doctest/doctest.h>

#include <gan/physics/bird_king.hpp>
#include <gan/physics/bloch.hpp>

#include "crystals.hpp"

using namespace gan::physics;
using Eigen::Vector2d;

TEST_CASE("Bird-King form factors: zero for a static lattice, converged, smooth enough to tabulate") {
    CHECK(bird_king_form_factor(38, 0.0, 3.0, 200.0) == 0.0);
    for (int z : {8, 22, 38}) {
        CAPTURE(z);
        const double at_zero = bird_king_form_factor(z, 0.6, 0.0, 200.0);
        CHECK(at_zero > 0.0);
        // Absorption is a small fraction of elastic scattering (Bird & King: a few percent).
        CHECK(at_zero < 0.1 * electron_scattering_factor(z, 0.0));
        for (double g : {0.0, 2.0, 9.0, 20.0}) {
            const double normal = bird_king_form_factor(z, 0.6, g, 200.0);
            const double tight = bird_king_form_factor(z, 0.6, g, 200.0, 1e-11);
            CHECK(std::abs(normal - tight) < 1e-7 * at_zero);
        }
        // More thermal motion, more diffuse scattering at small g.
        CHECK(bird_king_form_factor(z, 1.2, 0.0, 200.0) > at_zero);
        // f' scales with 1/v: it is larger at lower voltage.
        CHECK(bird_king_form_factor(z, 0.6, 0.0, 100.0) > at_zero);
        const bird_king_table table(z, 0.6, 200.0, 30.0);
        for (double g : {0.0, 1.234, 7.5, 18.0, 30.0})
            CHECK(std::abs(table(g) - bird_king_form_factor(z, 0.6, g, 200.0)) < 1e-8 * at_zero);  // well inside the 1e-7 quadrature tolerance
        CHECK_THROWS_AS(table(31.0), gan::invalid_argument);
    }
}

TEST_CASE("Bird-King absorption: U' is i times a Hermitian matrix, and total intensity decays") {
    const auto x = gan_test::gallium_arsenide();
    const microscope_frame frame(x, {-1, 1, 0}, {1, 1, 0});
    const bloch_problem plain(x, frame, zolz_beam_pool(x, frame, 1.5), 200.0);
    const bloch_problem absorbing(x, frame, zolz_beam_pool(x, frame, 1.5), 200.0, {absorption_model::bird_king});
    const Eigen::MatrixXcd absorptive = (absorbing.coupling() - plain.coupling()) / complex(0.0, 1.0);
    CHECK((absorptive - absorptive.adjoint()).cwiseAbs().maxCoeff() < 1e-15);
    CHECK(absorptive(0, 0).real() > 0.0);
    // U'_0 / U_0 is a few percent, as usual for TDS absorption.
    CHECK(absorptive(0, 0).real() / plain.coupling()(0, 0).real() > 0.005);
    CHECK(absorptive(0, 0).real() / plain.coupling()(0, 0).real() < 0.1);
    for (const Vector2d& k_t : {Vector2d(0.0, 0.0), Vector2d(1.5, -0.8)}) {
        const auto system = diagonalise(absorbing.structure_matrix(k_t), false);
        double previous = 1.0;
        for (double t = 0.0; t <= 3000.0; t += 100.0) {
            const double total = wave_function(system, t).squaredNorm();
            CHECK(total <= previous + 1e-12);
            previous = total;
        }
        CHECK(previous < 0.95);
    }
}

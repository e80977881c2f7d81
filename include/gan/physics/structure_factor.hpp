#pragma once
// Structure factors and the Fourier coefficients of the crystal potential.
//
//   F_g = sum_j occ_j f_e,j(q) exp(-B_j s^2) exp(-2 pi i (h x_j + k y_j + l z_j))   (angstrom)
//   U_g = gamma F_g / (pi V)                                                          (1/angstrom^2)
//
// with q = |g|/(2 pi) = 1/d and s = q/2. The exp(-2 pi i g.r) sign is Felix's. U_g is in the
// 1/lambda convention (U_g = 2 m0 gamma e V_g / h^2), so the extinction distance is 1/(lambda |U_g|).
#include "gan/physics/eigen.hpp"

#include <complex>

#include "gan/physics/constants.hpp"
#include "gan/physics/crystal.hpp"
#include "gan/physics/scattering_factors.hpp"
#include "gan/version.hpp"

GAN_NAMESPACE_BEGIN
namespace physics {

using complex = std::complex<double>;

// Which atomic scattering factor a structure-factor sum uses.
enum class scattering_kind { electron, xray };

// Sum over the unit cell with the given per-atom form factor; q in 1/angstrom (1/d).
inline complex structure_factor(const crystal& xtal, const Eigen::Vector3i& hkl,
                                scattering_kind kind = scattering_kind::electron) {
    const double q = xtal.reciprocal_vector(hkl).norm();
    const double s2 = 0.25 * q * q;
    complex sum = 0.0;
    for (const auto& atom : xtal.atoms()) {
        const double f = kind == scattering_kind::electron ? electron_scattering_factor(atom.atomic_number, q)
                                                           : xray_form_factor(atom.atomic_number, q);
        const double phase = -two_pi * hkl.cast<double>().dot(atom.fractional);
        sum += atom.occupancy * f * std::exp(-atom.b_iso * s2) * complex(std::cos(phase), std::sin(phase));
    }
    return sum;
}

// U_g in 1/angstrom^2 at the given accelerating voltage.
inline complex potential_coefficient(const crystal& xtal, const Eigen::Vector3i& hkl, double kilovolts) {
    return relativistic_gamma(kilovolts) / (pi * xtal.volume()) * structure_factor(xtal, hkl);
}

// Mean inner potential V_0 = (h^2/(2 pi m0 e V)) sum_j occ_j f_e,j(0), in volts (non-relativistic,
// as usually quoted). Unlike Felix's printed value it weights each site by its occupancy.
inline double mean_inner_potential(const crystal& xtal) {
    double sum = 0.0;
    for (const auto& atom : xtal.atoms()) sum += atom.occupancy * electron_scattering_factor(atom.atomic_number, 0.0);
    return potential_volt_angstrom2() * sum / xtal.volume();
}

// Two-beam extinction distance xi_g = 1/(lambda |U_g|), in angstrom.
inline double extinction_distance(const crystal& xtal, const Eigen::Vector3i& hkl, double kilovolts) {
    const double u = std::abs(potential_coefficient(xtal, hkl, kilovolts));
    // Symmetry-forbidden reflections come out at ~1e-18 from rounding, not exactly 0.
    if (u < 1e-12) throw invalid_argument("reflection " + std::to_string(hkl[0]) + std::to_string(hkl[1]) + std::to_string(hkl[2]) + " has U_g = 0 (forbidden), so it has no two-beam extinction distance");
    return 1.0 / (electron_wavelength(kilovolts) * u);
}

}  // namespace physics
GAN_NAMESPACE_END

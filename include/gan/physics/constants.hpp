#pragma once
// Physical constants (CODATA 2018 exact SI values where exact) and the relativistic electron
// kinematics every other physics header builds on. Lengths are in angstrom throughout gan::physics.
#include <cmath>
#include <numbers>

#include "gan/core/error.hpp"
#include "gan/version.hpp"

GAN_NAMESPACE_BEGIN
namespace physics {

namespace codata {
inline constexpr double planck = 6.62607015e-34;            // J s (exact)
inline constexpr double electron_mass = 9.1093837015e-31;   // kg
inline constexpr double elementary_charge = 1.602176634e-19;  // C (exact)
inline constexpr double speed_of_light = 299792458.0;       // m/s (exact)
inline constexpr double bohr_radius_angstrom = 0.529177210903;
}  // namespace codata

inline constexpr double pi = std::numbers::pi;
inline constexpr double two_pi = 2.0 * std::numbers::pi;

inline void require_positive_voltage(double kilovolts) {
    if (!(kilovolts > 0.0) || !std::isfinite(kilovolts))
        throw invalid_argument("accelerating voltage must be a positive number of kV (got " +
                               std::to_string(kilovolts) + "); typical TEM values are 80-300 kV");
}

// gamma = 1 + eV/(m0 c^2): the relativistic mass ratio that scales U_g.
inline double relativistic_gamma(double kilovolts) {
    require_positive_voltage(kilovolts);
    using namespace codata;
    const double energy = elementary_charge * kilovolts * 1e3;
    return 1.0 + energy / (electron_mass * speed_of_light * speed_of_light);
}

// Relativistic electron wavelength lambda = h / sqrt(2 m0 E (1 + E/(2 m0 c^2))), in angstrom.
inline double electron_wavelength(double kilovolts) {
    require_positive_voltage(kilovolts);
    using namespace codata;
    const double energy = elementary_charge * kilovolts * 1e3;
    const double momentum =
        std::sqrt(2.0 * electron_mass * energy * (1.0 + energy / (2.0 * electron_mass * speed_of_light * speed_of_light)));
    return planck / momentum * 1e10;
}

// K = 2 pi / lambda (1/angstrom): the Bloch-wave code works in 2 pi units like Felix.
inline double electron_wave_number(double kilovolts) { return two_pi / electron_wavelength(kilovolts); }

// h^2 / (2 pi m0 e) in V * angstrom^2: converts sum(f_e) / V (1/angstrom^2) into volts.
inline constexpr double potential_volt_angstrom2() {
    using namespace codata;
    return planck * planck / (2.0 * pi * electron_mass * elementary_charge) * 1e20;
}

}  // namespace physics
GAN_NAMESPACE_END

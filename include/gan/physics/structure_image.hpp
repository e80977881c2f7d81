#pragma once
// Structure images over one unit cell, projected along c (the [001] zone), for conditioning the
// GAN. Two quantities, on the same grid and origin:
//
//  * projected_potential_image: the projected electrostatic potential
//      V_p(x, y) ~ sum_{h,k} U_hk0 exp(2 pi i (h x + k y)),
//    with U_g exactly as the Bloch-wave simulation uses it (Kirkland f_e, Debye-Waller,
//    occupancy). This is what the published work fed its GAN and called "EDD"; it is not an
//    electron density, so gan does not call it one.
//  * projected_electron_density_image: the true projected electron density
//      rho_p(x, y) ~ sum_{h,k} F_x(hk0) exp(2 pi i (h x + k y)),
//    with X-ray form factors (Mott-Bethe from the same Kirkland table, scattering_factors.hpp),
//    the same Debye-Waller factors and occupancies. This is what "electron density
//    distribution" literally means; its peaks scale roughly with Z, so heavy atoms dominate more.
//
// Grid: pixel (row j, column i) sits at fractional (x, y) = (i, j) / (n - 1) by default, so the last
// row and column repeat the first (the published convention), or at (i, j) / n. Both images are
// min-max normalised to 0..1 without inversion (the published PNGs were inverted for display).
#include "gan/physics/eigen.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <functional>
#include <vector>

#include "gan/core/error.hpp"
#include "gan/physics/constants.hpp"
#include "gan/physics/crystal.hpp"
#include "gan/physics/structure_factor.hpp"
#include "gan/version.hpp"

GAN_NAMESPACE_BEGIN
namespace physics {

struct structure_image_settings {
    int pixels = 128;
    // Fourier terms |h|, |k| <= max_index. 63 converges a 128-pixel cell (Debye-Waller damping
    // makes higher terms negligible); the published 2023 data used 14, which blurs the atoms.
    int max_index = 63;
    bool last_pixel_repeats_first = true;
    double accelerating_voltage = 200.0;  // kV; only scales the potential, which is then normalised
};

// Row-major, row = y (along b), column = x (along a); values in 0..1.
struct structure_image {
    int size = 0;
    std::vector<double> pixels;
    double raw_min = 0.0, raw_max = 0.0;  // before normalisation, in the synthesis' own units
    double at(int row, int col) const { return pixels[static_cast<std::size_t>(row * size + col)]; }
};

namespace detail {

inline structure_image fourier_synthesis(const structure_image_settings& s,
                                         const std::function<complex(const Eigen::Vector3i&)>& coefficient) {
    if (s.pixels < 2) throw invalid_argument("a structure image needs at least 2 x 2 pixels");
    if (s.max_index < 1) throw invalid_argument("max_index must be >= 1 Fourier term; 63 suits 128 pixels");
    const int m = 2 * s.max_index + 1, n = s.pixels;
    const double step = 1.0 / (s.last_pixel_repeats_first ? n - 1 : n);
    Eigen::MatrixXcd coefficients(m, m);  // (k, h)
    for (int k = -s.max_index; k <= s.max_index; ++k)
        for (int h = -s.max_index; h <= s.max_index; ++h)
            coefficients(k + s.max_index, h + s.max_index) = coefficient(Eigen::Vector3i(h, k, 0));
    // exp(2 pi i (h x + k y)) factorises, so the synthesis is two small matrix products.
    Eigen::MatrixXcd along_x(m, n), along_y(n, m);
    for (int h = -s.max_index; h <= s.max_index; ++h)
        for (int i = 0; i < n; ++i) {
            const double phase = two_pi * h * (i * step);
            along_x(h + s.max_index, i) = complex(std::cos(phase), std::sin(phase));
            along_y(i, h + s.max_index) = complex(std::cos(phase), std::sin(phase));
        }
    const Eigen::MatrixXd raw = (along_y * coefficients * along_x).real();
    structure_image out;
    out.size = n;
    out.raw_min = raw.minCoeff();
    out.raw_max = raw.maxCoeff();
    const double range = out.raw_max - out.raw_min;
    out.pixels.resize(static_cast<std::size_t>(n) * static_cast<std::size_t>(n));
    for (int j = 0; j < n; ++j)
        for (int i = 0; i < n; ++i)
            out.pixels[static_cast<std::size_t>(j * n + i)] = range > 0 ? (raw(j, i) - out.raw_min) / range : 0.0;
    return out;
}

}  // namespace detail

// Projected electrostatic potential over one cell, the published work's "EDD"; see the file comment.
inline structure_image projected_potential_image(const crystal& xtal, const structure_image_settings& s = {}) {
    return detail::fourier_synthesis(s, [&](const Eigen::Vector3i& hkl) {
        return potential_coefficient(xtal, hkl, s.accelerating_voltage);
    });
}

// True projected electron density over one cell from X-ray form factors; see the file comment.
inline structure_image projected_electron_density_image(const crystal& xtal, const structure_image_settings& s = {}) {
    return detail::fourier_synthesis(s, [&](const Eigen::Vector3i& hkl) {
        return structure_factor(xtal, hkl, scattering_kind::xray);
    });
}

}  // namespace physics
GAN_NAMESPACE_END

#pragma once
// Reciprocal vectors in the microscope frame, the beam pool, the pixel-to-tilt map and excitation
// errors. Units follow Felix: reciprocal vectors and tilts carry the 2 pi (|g| = 2 pi / d), while
// user-facing cut-offs and disc radii are in 1/angstrom without it (1/d).
#include "gan/physics/eigen.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "gan/core/error.hpp"
#include "gan/physics/constants.hpp"
#include "gan/physics/crystal.hpp"
#include "gan/version.hpp"

GAN_NAMESPACE_BEGIN
namespace physics {

inline std::string miller_string(const Eigen::Vector3i& v) {
    std::string text = "[";  // appended piece by piece: GCC 12 warns falsely on "[" + std::string
    text.append(std::to_string(v[0])).append(" ").append(std::to_string(v[1])).append(" ");
    return text.append(std::to_string(v[2])).append("]");
}

inline void require_valid_orientation(const Eigen::Vector3i& zone_axis, const Eigen::Vector3i& x_direction) {
    if (zone_axis.isZero()) throw invalid_argument("zone axis [0 0 0] has no direction; give e.g. [0 0 1]");
    if (x_direction.isZero()) throw invalid_argument("x direction [0 0 0] has no direction; give e.g. [1 0 0]");
    // A real-space direction is perpendicular to a reciprocal vector exactly when the index dot
    // product vanishes, whatever the lattice.
    if (zone_axis.dot(x_direction) != 0)
        throw invalid_argument("x direction " + miller_string(x_direction) + " is not perpendicular to zone axis " +
                               miller_string(zone_axis) + " (u h + v k + w l must be 0); pick an [hkl] in the zone, "
                               "e.g. [1 0 0] for [0 0 1] or [1 1 0] for [-1 1 0]");
}

// Orthonormal microscope frame: Z along the zone axis [uvw] (a real-space direction), X along the
// reciprocal-lattice direction [hkl] chosen as the image x axis, Y = Z x X. This is Felix's frame.
class microscope_frame {
public:
    microscope_frame(const crystal& xtal, Eigen::Vector3i zone_axis, Eigen::Vector3i x_direction)
        : zone_axis_(zone_axis), x_direction_(x_direction) {
        require_valid_orientation(zone_axis, x_direction);
        const Eigen::Vector3d z = xtal.direct_vector(zone_axis).normalized();
        const Eigen::Vector3d x = xtal.reciprocal_vector(x_direction).normalized();
        const Eigen::Vector3d y = z.cross(x);
        rotation_.row(0) = x;
        rotation_.row(1) = y;
        rotation_.row(2) = z;
        reciprocal_ = two_pi * rotation_ * xtal.reciprocal_basis().transpose();
    }

    const Eigen::Vector3i& zone_axis() const noexcept { return zone_axis_; }
    const Eigen::Vector3i& x_direction() const noexcept { return x_direction_; }
    // Rows X, Y, Z of the microscope frame in the crystal's Cartesian frame.
    const Eigen::Matrix3d& rotation() const noexcept { return rotation_; }

    // g = 2 pi (h a* + k b* + l c*) in the microscope frame, 1/angstrom.
    Eigen::Vector3d reciprocal_vector(const Eigen::Vector3i& hkl) const { return reciprocal_ * hkl.cast<double>(); }

private:
    Eigen::Vector3i zone_axis_, x_direction_;
    Eigen::Matrix3d rotation_ = Eigen::Matrix3d::Identity();
    Eigen::Matrix3d reciprocal_ = Eigen::Matrix3d::Identity();
};

struct beam {
    Eigen::Vector3i hkl = Eigen::Vector3i::Zero();
    Eigen::Vector3d g = Eigen::Vector3d::Zero();  // microscope frame, 2 pi units
};

// Every zero-order-Laue-zone reflection with |g| <= g_max (1/d, 1/angstrom), whole shells only:
// a count cap would cut a shell of symmetry mates in two and break the pattern's symmetry (the
// Felix quirk documented in docs/physics.md). Reflections forbidden by lattice centring are left
// out because they never couple to 000. Sorted by |g|, then by hkl, so 000 comes first and the
// order is reproducible.
inline std::vector<beam> zolz_beam_pool(const crystal& xtal, const microscope_frame& frame, double g_max) {
    if (!(g_max > 0.0) || !std::isfinite(g_max))
        throw invalid_argument("g cut-off must be a positive 1/d in 1/angstrom, e.g. 3.0");
    const centring kind = xtal.detect_centring();
    const Eigen::Matrix3d& basis = xtal.direct_basis();
    // h = g . a, so |h| <= |g| |a|.
    const int hmax = static_cast<int>(std::ceil(g_max * basis.col(0).norm()));
    const int kmax = static_cast<int>(std::ceil(g_max * basis.col(1).norm()));
    const int lmax = static_cast<int>(std::ceil(g_max * basis.col(2).norm()));
    const double limit = two_pi * g_max * (1.0 + 1e-9);
    std::vector<beam> pool;
    const Eigen::Vector3i& zone = frame.zone_axis();
    for (int h = -hmax; h <= hmax; ++h)
        for (int k = -kmax; k <= kmax; ++k)
            for (int l = -lmax; l <= lmax; ++l) {
                const Eigen::Vector3i hkl(h, k, l);
                if (hkl.dot(zone) != 0 || !reflection_allowed_by_centring(kind, hkl)) continue;
                const Eigen::Vector3d g = frame.reciprocal_vector(hkl);
                if (g.norm() <= limit) pool.push_back({hkl, g});
            }
    std::sort(pool.begin(), pool.end(), [](const beam& a, const beam& b) {
        const double na = a.g.norm(), nb = b.g.norm();
        if (std::abs(na - nb) > 1e-9 * std::max(1.0, na)) return na < nb;
        return std::lexicographical_compare(a.hkl.data(), a.hkl.data() + 3, b.hkl.data(), b.hkl.data() + 3);
    });
    return pool;
}

// Felix's pixel grid: a 2N x 2N square, row index along k_y and column index along k_x, pixel
// centres at (index + 1/2 - N) * dK with dK = 2 pi R / N, R the disc radius in 1/angstrom (1/d).
class pixel_grid {
public:
    pixel_grid(int pixel_radius, double disc_radius) : pixel_radius_(pixel_radius), disc_radius_(disc_radius) {
        if (pixel_radius < 1) throw invalid_argument("pixel radius must be at least 1 (the image is 2N x 2N pixels)");
        if (!(disc_radius > 0.0) || !std::isfinite(disc_radius))
            throw invalid_argument("disc radius must be a positive 1/d in 1/angstrom (Felix's ROuterConvergenceAngle)");
    }
    int pixel_radius() const noexcept { return pixel_radius_; }
    int size() const noexcept { return 2 * pixel_radius_; }
    double disc_radius() const noexcept { return disc_radius_; }
    double delta_k() const noexcept { return two_pi * disc_radius_ / pixel_radius_; }
    // In-plane incident wave-vector component (k_x, k_y), 2 pi units.
    Eigen::Vector2d tilt(int row, int col) const {
        return {(col + 0.5 - pixel_radius_) * delta_k(), (row + 0.5 - pixel_radius_) * delta_k()};
    }

private:
    int pixel_radius_;
    double disc_radius_;
};

enum class excitation_error_formula {
    // s_g = (K^2 - |k + g|^2) / (2K), the usual forward-scattering form.
    ewald_sphere,
    // bloch_mod.f90's geometric form, for like-for-like comparison with Felix output.
    felix,
};

// Excitation error of beam g for the incident wave vector k = (k_t, sqrt(K^2 - k_t^2)), 2 pi units.
inline double excitation_error(const Eigen::Vector3d& g, const Eigen::Vector2d& k_t, double big_k,
                               excitation_error_formula formula = excitation_error_formula::ewald_sphere) {
    const double g2 = g.squaredNorm();
    if (g2 == 0.0) return 0.0;
    const Eigen::Vector3d k(k_t[0], k_t[1], std::sqrt(big_k * big_k - k_t.squaredNorm()));
    if (formula == excitation_error_formula::ewald_sphere) return -(2.0 * k.dot(g) + g2) / (2.0 * big_k);
    const double g_mag = std::sqrt(g2);
    const double k_along_g = k.dot(g) / g_mag;
    const double k0_x = -0.5 * g_mag, k0_z = std::sqrt(big_k * big_k - k0_x * k0_x);
    const double kp_z = std::sqrt(big_k * big_k - k_along_g * k_along_g);
    const double k0_dot_kp = k0_x * k_along_g + k0_z * kp_z;
    const double sign = (2.0 * k_along_g + g_mag) > 0 ? -1.0 : ((2.0 * k_along_g + g_mag) < 0 ? 1.0 : 0.0);
    return sign * std::sqrt(2.0 * std::abs(big_k * big_k - k0_dot_kp)) * g_mag / big_k;
}

}  // namespace physics
GAN_NAMESPACE_END

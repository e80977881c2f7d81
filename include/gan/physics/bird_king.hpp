#pragma once
// Bird-King absorptive form factors (D. M. Bird and Q. A. King, Acta Cryst. A46 (1990) 202):
// thermal diffuse scattering removes electrons from the elastic wave, which the Bloch-wave
// calculation models as an imaginary potential U'_g. Per atom,
//
//   f'(g) = (2h / (m0 v)) * integral over the plane of
//           f_e(|g/2 + G'|) f_e(|g/2 - G'|) [1 - exp(-2B (s'^2 - s_g^2/4))] d^2 s',
//
// with G' = 4 pi s' (2 pi units), s_g = |g| / (4 pi), f_e Kirkland's factor and v the electron
// velocity; the prefactor is taken in angstrom. This is the normalisation Felix uses
// (ug_matrix_mod.f90), so U'_g = i gamma / (pi V) sum_j occ_j f'_j exp(-B_j s_g^2) exp(-i g.r_j)
// can be compared with Felix directly. The integrand is even in s'_x (the two factors swap) and
// in s'_y, so the plane integral is 4 times the quadrant integral.
//
// Cost: each f' is a 2-D integral over an infinite quadrant. For one (Z, B) f' is a smooth
// function of |g|, so it is integrated at Chebyshev nodes once and interpolated.
#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <queue>
#include <vector>

#include "gan/core/error.hpp"
#include "gan/physics/constants.hpp"
#include "gan/physics/scattering_factors.hpp"
#include "gan/version.hpp"

GAN_NAMESPACE_BEGIN
namespace physics {

namespace detail {

// Gauss-Kronrod 7/15 nodes and weights (QUADPACK's qk15 constants), on [-1, 1].
inline constexpr std::array<double, 8> kronrod_nodes = {
    0.991455371120812639206854697526329, 0.949107912342758524526189684047851, 0.864864423359769072789712788640926,
    0.741531185599394439863864773280788, 0.586087235467691130294144845693013, 0.405845151377397166906606412076961,
    0.207784955007898467600689403773245, 0.0};
inline constexpr std::array<double, 8> kronrod_weights = {
    0.022935322010529224963732008058970, 0.063092092629978553290700663189204, 0.104790010322250183839876322541518,
    0.140653259715525918745189590510238, 0.169004726639267902826583426598550, 0.190350578064785409913256402421014,
    0.204432940075298892414161999234649, 0.209482141084727828012999174891714};
inline constexpr std::array<double, 4> gauss_weights = {0.129484966168869693270611432679082, 0.279705391489276667901467771423780,
                                                        0.381830050505118944950369775488975, 0.417959183673469387755102040816327};

struct kronrod_estimate {
    double value, error;
};

inline kronrod_estimate gauss_kronrod_15(const std::function<double(double)>& f, double a, double b) {
    const double centre = 0.5 * (a + b), half = 0.5 * (b - a);
    const double fc = f(centre);
    double kronrod = fc * kronrod_weights[7], gauss = fc * gauss_weights[3];
    for (int i = 0; i < 7; ++i) {
        const double dx = half * kronrod_nodes[static_cast<std::size_t>(i)];
        const double pair = f(centre - dx) + f(centre + dx);
        kronrod += kronrod_weights[static_cast<std::size_t>(i)] * pair;
        if (i % 2 == 1) gauss += gauss_weights[static_cast<std::size_t>(i / 2)] * pair;
    }
    return {kronrod * half, std::abs((kronrod - gauss) * half)};
}

// Globally adaptive Gauss-Kronrod on [a, b]: split the interval with the largest error estimate
// until the summed estimate meets the tolerance.
inline double adaptive_integral(const std::function<double(double)>& f, double a, double b, double relative_tolerance,
                                int max_intervals = 400) {
    struct piece {
        double a, b, value, error;
        bool operator<(const piece& other) const { return error < other.error; }
    };
    std::priority_queue<piece> pieces;
    const auto first = gauss_kronrod_15(f, a, b);
    pieces.push({a, b, first.value, first.error});
    double total = first.value, error = first.error;
    int count = 1;
    while (error > relative_tolerance * std::abs(total) && error > 1e-300 && count < max_intervals) {
        const piece worst = pieces.top();
        pieces.pop();
        const double mid = 0.5 * (worst.a + worst.b);
        const auto left = gauss_kronrod_15(f, worst.a, mid);
        const auto right = gauss_kronrod_15(f, mid, worst.b);
        total += left.value + right.value - worst.value;
        error += left.error + right.error - worst.error;
        pieces.push({worst.a, mid, left.value, left.error});
        pieces.push({mid, worst.b, right.value, right.error});
        ++count;
    }
    return total;
}

// integral_0^inf f(s) ds through s = t / (1 - t).
inline double half_line_integral(const std::function<double(double)>& f, double relative_tolerance) {
    return adaptive_integral(
        [&](double t) {
            if (t >= 1.0) return 0.0;
            const double one_minus = 1.0 - t;
            return f(t / one_minus) / (one_minus * one_minus);
        },
        0.0, 1.0, relative_tolerance);
}

}  // namespace detail

// Electron velocity (m/s) at the given accelerating voltage.
inline double electron_velocity(double kilovolts) {
    const double gamma = relativistic_gamma(kilovolts);
    return codata::speed_of_light * std::sqrt(1.0 - 1.0 / (gamma * gamma));
}

// Bird-King absorptive form factor f'(g) for one atom; g in 2 pi units (1/angstrom), B in A^2.
inline double bird_king_form_factor(int z, double b_iso, double g, double kilovolts, double relative_tolerance = 1e-7) {
    require_atomic_number(z);
    if (!(b_iso >= 0.0)) throw invalid_argument("Debye-Waller B must be >= 0 for Bird-King absorption");
    if (b_iso == 0.0) return 0.0;  // a static lattice scatters no phonons
    const double prefactor = 2.0 * codata::planck / (codata::electron_mass * electron_velocity(kilovolts)) * 1e10;
    const double quarter_g2 = g * g / (64.0 * pi * pi);  // (s_g / 2)^2
    auto integrand = [&](double sx, double sy) {
        const double gx = 2.0 * two_pi * sx, gy = 2.0 * two_pi * sy;
        const double q1 = std::hypot(0.5 * g + gx, gy) / two_pi;
        const double q2 = std::hypot(0.5 * g - gx, gy) / two_pi;
        const double thermal = -std::expm1(-2.0 * b_iso * (sx * sx + sy * sy - quarter_g2));
        return electron_scattering_factor(z, q1) * electron_scattering_factor(z, q2) * thermal;
    };
    const double quadrant = detail::half_line_integral(
        [&](double sy) {
            return detail::half_line_integral([&](double sx) { return integrand(sx, sy); }, relative_tolerance);
        },
        relative_tolerance);
    return 4.0 * prefactor * quadrant;
}

// f'(|g|) for one (Z, B, voltage), interpolated from Chebyshev nodes on [0, g_max] (2 pi units).
class bird_king_table {
public:
    bird_king_table(int z, double b_iso, double kilovolts, double g_max, int nodes = 40)
        : g_max_(std::max(g_max, 1e-6)), values_(static_cast<std::size_t>(nodes)) {
        if (nodes < 2) throw invalid_argument("a Bird-King table needs at least 2 nodes");
        for (int i = 0; i < nodes; ++i) {
            const double x = std::cos(pi * (i + 0.5) / nodes);
            values_[static_cast<std::size_t>(i)] = bird_king_form_factor(z, b_iso, 0.5 * g_max_ * (x + 1.0), kilovolts);
        }
        // Chebyshev coefficients by the discrete cosine transform of the node values.
        coefficients_.assign(static_cast<std::size_t>(nodes), 0.0);
        for (int k = 0; k < nodes; ++k) {
            double sum = 0.0;
            for (int i = 0; i < nodes; ++i) sum += values_[static_cast<std::size_t>(i)] * std::cos(pi * k * (i + 0.5) / nodes);
            coefficients_[static_cast<std::size_t>(k)] = 2.0 * sum / nodes;
        }
        coefficients_[0] *= 0.5;
    }

    double operator()(double g) const {
        if (g < 0.0 || g > g_max_ * (1.0 + 1e-12))
            throw invalid_argument("Bird-King table asked for |g| outside [0, g_max]; build it with a larger g_max");
        const double x = 2.0 * g / g_max_ - 1.0;
        // Clenshaw recurrence.
        double b1 = 0.0, b2 = 0.0;
        for (std::size_t k = coefficients_.size(); k-- > 1;) {
            const double b0 = 2.0 * x * b1 - b2 + coefficients_[k];
            b2 = b1;
            b1 = b0;
        }
        return x * b1 - b2 + coefficients_[0];
    }

private:
    double g_max_;
    std::vector<double> values_;
    std::vector<double> coefficients_;
};

}  // namespace physics
GAN_NAMESPACE_END

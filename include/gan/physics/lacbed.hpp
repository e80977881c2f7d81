#pragma once
// LACBED discs: every pixel of a 2N x 2N square is one incident plane wave (Felix's pixel-to-tilt
// convention, beams.hpp), solved by the Bloch-wave method (bloch.hpp) for all thicknesses at once.
//
// Speed levers, all exact: without absorption, the bright field needs only the eigenvalues and the
// first eigenvector row (bloch.hpp, bright_field_spectrum), in real arithmetic for centrosymmetric
// crystals, and other discs use the Hermitian solver; one eigen-
// decomposition per pixel for every thickness; oneTBB over pixels (each pixel writes only its own
// slots, so the output does not depend on scheduling); and, with a fixed beam set, solving only one
// pixel per orbit of the disc's symmetry group and copying the rest.
#include "gan/physics/eigen.hpp"
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <vector>

#include "gan/core/error.hpp"
#include "gan/physics/beams.hpp"
#include "gan/physics/bloch.hpp"
#include "gan/physics/crystal.hpp"
#include "gan/version.hpp"

GAN_NAMESPACE_BEGIN
namespace physics {

enum class beam_selection {
    // Every pool beam (|g| <= g_max, whole shells) at every pixel: exactly symmetric images.
    fixed_pool,
    // Felix's per-pixel strong-beam rule over the pool, for like-for-like comparison with Felix.
    felix_strong_beams,
};

struct lacbed_settings {
    double accelerating_voltage = 200.0;                      // kV
    Eigen::Vector3i zone_axis = Eigen::Vector3i(0, 0, 1);     // [uvw], real space
    Eigen::Vector3i x_direction = Eigen::Vector3i(1, 0, 0);   // [hkl], reciprocal space, perpendicular to the zone
    std::vector<double> thicknesses = {1000.0};               // angstrom
    double disc_radius = 0.5;                                 // 1/angstrom (1/d), Felix's ROuterConvergenceAngle
    int pixel_radius = 32;                                    // N: the image is 2N x 2N
    double g_max = 3.0;                                       // pool cut-off, 1/angstrom (1/d), Felix's RgLimit
    // Used only when g_max <= 0 (Felix's RgLimit = 0): the smallest whole-shell cut-off holding at
    // least this many beams (Felix's IMinReflectionPool, which Felix applies as a count cap).
    int min_pool_beams = 0;
    beam_selection selection = beam_selection::fixed_pool;
    int min_strong_beams = 50;                                // felix_strong_beams only
    excitation_error_formula excitation_error = excitation_error_formula::ewald_sphere;
    absorption_settings absorption{};
    // Solve one pixel per symmetry orbit and copy. Also exact for Felix's strong-beam rule: with a
    // whole-shell pool its choice at M k is the image under M of its choice at k.
    bool use_symmetry = true;
    std::vector<Eigen::Vector3i> other_discs{};               // reflections to output besides 000
};

// Row-major, row = k_y index, column = k_x index: the layout of Felix's .bin files.
struct lacbed_image {
    int size = 0;
    std::vector<double> pixels;
    double at(int row, int col) const { return pixels[static_cast<std::size_t>(row * size + col)]; }
    double& at(int row, int col) { return pixels[static_cast<std::size_t>(row * size + col)]; }
};

struct lacbed_result {
    std::vector<double> thicknesses;
    std::vector<Eigen::Vector3i> reflections;         // 000 first, then settings.other_discs
    std::vector<std::vector<lacbed_image>> discs;      // [reflection][thickness]
    int pool_size = 0;
    double mean_beams_per_pixel = 0.0;                // over the solved (symmetry-distinct) pixels
    int symmetry_operations = 1;                       // size of the group used for mirroring
    int solved_pixels = 0;

    const lacbed_image& bright_field(std::size_t thickness_index = 0) const { return discs.at(0).at(thickness_index); }

    // One reflection's discs for all thicknesses as one contiguous (thicknesses, 2N, 2N) array,
    // the layout gan::io::write_npy takes; gan::io::write_felix_bin writes a single image.
    std::vector<double> stacked(std::size_t reflection_index = 0) const {
        std::vector<double> out;
        for (const auto& image : discs.at(reflection_index)) out.insert(out.end(), image.pixels.begin(), image.pixels.end());
        return out;
    }
};

namespace detail {

// The 8 operations of the square pixel grid, as 2x2 matrices acting on (k_x, k_y).
inline std::array<Eigen::Matrix2i, 8> square_grid_operations() {
    std::array<Eigen::Matrix2i, 8> ops;
    int i = 0;
    for (int swap = 0; swap < 2; ++swap)
        for (int sx : {1, -1})
            for (int sy : {1, -1}) {
                Eigen::Matrix2i m;
                if (swap) m << 0, sx, sy, 0;
                else m << sx, 0, 0, sy;
                ops[static_cast<std::size_t>(i++)] = m;
            }
    return ops;
}

// Whether A(M k) = P A(k) P^T for the beam permutation P induced by M (and M maps every beam
// listed in fixed onto itself): then every disc in fixed is invariant under M.
inline bool structure_matrix_invariant(const bloch_problem& problem, const Eigen::Matrix2i& m,
                                       const std::vector<int>& fixed) {
    const auto& beams = problem.beams();
    const auto n = beams.size();
    std::vector<int> image(n, -1);
    for (std::size_t p = 0; p < n; ++p) {
        const Eigen::Vector2d mapped = m.cast<double>() * beams[p].g.head<2>();
        const double tol = 1e-9 * std::max(1.0, mapped.norm());
        for (std::size_t q = 0; q < n; ++q)
            if ((beams[q].g.head<2>() - mapped).norm() < tol && std::abs(beams[q].g[2] - beams[p].g[2]) < tol) {
                image[p] = static_cast<int>(q);
                break;
            }
        if (image[p] < 0) return false;
    }
    for (int f : fixed)
        if (image[static_cast<std::size_t>(f)] != f) return false;
    const auto& u = problem.coupling();
    const double tol = 1e-12 * std::max(1e-300, u.cwiseAbs().maxCoeff());
    for (std::size_t p = 0; p < n; ++p)
        for (std::size_t q = 0; q < n; ++q)
            if (std::abs(u(image[p], image[q]) - u(static_cast<Eigen::Index>(p), static_cast<Eigen::Index>(q))) > tol)
                return false;
    return true;
}

inline int pool_index(const std::vector<beam>& pool, const Eigen::Vector3i& hkl) {
    for (std::size_t i = 0; i < pool.size(); ++i)
        if (pool[i].hkl == hkl) return static_cast<int>(i);
    return -1;
}

}  // namespace detail

inline void validate(const lacbed_settings& s) {
    require_valid_orientation(s.zone_axis, s.x_direction);
    if (s.thicknesses.empty()) throw invalid_argument("give at least one thickness (angstrom)");
    for (double t : s.thicknesses)
        if (!(t > 0.0) || !std::isfinite(t))
            throw invalid_argument("thickness must be > 0 angstrom (got " + std::to_string(t) +
                                   "); the t -> 0 limit is the incident beam itself");
    if (s.selection == beam_selection::felix_strong_beams && s.min_strong_beams < 2)
        throw invalid_argument("min_strong_beams must be at least 2 (000 and one diffracted beam)");
}

inline lacbed_result simulate_lacbed(const crystal& xtal, const lacbed_settings& settings) {
    validate(settings);
    const microscope_frame frame(xtal, settings.zone_axis, settings.x_direction);
    const pixel_grid grid(settings.pixel_radius, settings.disc_radius);
    double g_max = settings.g_max;
    if (!(g_max > 0.0)) {
        if (settings.min_pool_beams < 2)
            throw invalid_argument("give a positive g_max (1/angstrom) or, with g_max <= 0, min_pool_beams >= 2");
        // Felix's internal limit when RgLimit is 0 is 10 1/angstrom.
        const auto wide = zolz_beam_pool(xtal, frame, 10.0);
        if (static_cast<int>(wide.size()) < settings.min_pool_beams)
            throw invalid_argument("only " + std::to_string(wide.size()) + " beams lie within 10 1/A; lower min_pool_beams");
        g_max = wide[static_cast<std::size_t>(settings.min_pool_beams - 1)].g.norm() / two_pi;
    }
    auto pool = zolz_beam_pool(xtal, frame, g_max);
    if (pool.size() < 2)
        throw invalid_argument("the g cut-off " + std::to_string(g_max) +
                               " 1/A leaves no diffracted beam in the zone; increase g_max");
    const bloch_problem problem(xtal, std::move(pool), settings.accelerating_voltage, settings.absorption);
    const auto& beams = problem.beams();

    lacbed_result result;
    result.thicknesses = settings.thicknesses;
    result.pool_size = static_cast<int>(beams.size());
    result.reflections.push_back(Eigen::Vector3i::Zero());
    std::vector<int> output_beams{0};
    for (const auto& hkl : settings.other_discs) {
        const int index = detail::pool_index(beams, hkl);
        if (index < 0)
            throw invalid_argument("reflection " + miller_string(hkl) + " is not in the beam pool of zone " +
                                   miller_string(settings.zone_axis) + "; it must lie in the zone and within g_max");
        result.reflections.push_back(hkl);
        output_beams.push_back(index);
    }
    if (settings.selection == beam_selection::felix_strong_beams && settings.min_strong_beams > problem.size())
        throw invalid_argument("the beam pool has " + std::to_string(problem.size()) + " beams but " +
                               std::to_string(settings.min_strong_beams) +
                               " strong beams were requested; raise g_max or lower min_strong_beams");

    const int size = grid.size();
    const auto n_pixels = static_cast<std::size_t>(size) * static_cast<std::size_t>(size);
    const std::size_t n_thick = settings.thicknesses.size();

    // The symmetry group used for mirroring: M is usable when A is invariant under M, or under -M
    // (then reciprocity, I_000(k) = I_000(-k), supplies the rest; it holds for 000 only).
    std::vector<Eigen::Matrix2i> group;
    for (const auto& m : detail::square_grid_operations()) {
        if (m.isIdentity()) {
            group.push_back(m);
            continue;
        }
        if (!settings.use_symmetry) continue;
        const bool direct = detail::structure_matrix_invariant(problem, m, output_beams);
        const bool reciprocal = output_beams.size() == 1 && detail::structure_matrix_invariant(problem, -m, output_beams);
        if (direct || reciprocal) group.push_back(m);
    }
    result.symmetry_operations = static_cast<int>(group.size());

    // Each pixel's representative is the smallest index in its orbit.
    std::vector<std::size_t> representative(n_pixels);
    std::vector<std::size_t> unique;
    for (int r = 0; r < size; ++r)
        for (int c = 0; c < size; ++c) {
            const std::size_t self = static_cast<std::size_t>(r * size + c);
            std::size_t best = self;
            for (const auto& m : group) {
                // Pixel centres sit at half-integers around the disc centre, so (2i + 1 - 2N) is
                // the exact integer coordinate that the grid operations act on.
                const Eigen::Vector2i x(2 * c + 1 - size, 2 * r + 1 - size);
                const Eigen::Vector2i y = m * x;
                const int c2 = (y[0] + size - 1) / 2, r2 = (y[1] + size - 1) / 2;
                best = std::min(best, static_cast<std::size_t>(r2 * size + c2));
            }
            representative[self] = best;
            if (best == self) unique.push_back(self);
        }
    result.solved_pixels = static_cast<int>(unique.size());

    // values[(u * n_out + o) * n_thick + t]
    const std::size_t n_out = output_beams.size();
    std::vector<double> values(unique.size() * n_out * n_thick, 0.0);
    std::vector<int> beam_counts(unique.size(), 0);
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, unique.size()), [&](const tbb::blocked_range<std::size_t>& range) {
        for (std::size_t u = range.begin(); u != range.end(); ++u) {
            const int row = static_cast<int>(unique[u] / static_cast<std::size_t>(size));
            const int col = static_cast<int>(unique[u] % static_cast<std::size_t>(size));
            const Eigen::Vector2d k_t = grid.tilt(row, col);
            std::vector<int> subset;
            if (settings.selection == beam_selection::felix_strong_beams) {
                subset = problem.felix_strong_beams(k_t, settings.min_strong_beams, settings.excitation_error);
                // Felix lists the requested output reflections first; the order does not change
                // the result, only membership does.
                for (int b : output_beams)
                    if (!std::binary_search(subset.begin(), subset.end(), b)) subset.insert(std::upper_bound(subset.begin(), subset.end(), b), b);
            }
            beam_counts[u] = static_cast<int>(subset.empty() ? problem.size() : static_cast<Eigen::Index>(subset.size()));
            if (problem.hermitian() && n_out == 1) {
                const auto spectrum = problem.real_symmetric()
                                          ? bright_field_spectrum_of(problem.real_structure_matrix(k_t, subset, settings.excitation_error))
                                          : bright_field_spectrum_of(problem.structure_matrix(k_t, subset, settings.excitation_error));
                for (std::size_t t = 0; t < n_thick; ++t)
                    values[u * n_thick + t] = std::norm(bright_field_amplitude(spectrum, settings.thicknesses[t]));
                continue;
            }
            const auto a = problem.structure_matrix(k_t, subset, settings.excitation_error);
            const auto system = !problem.hermitian() && settings.absorption.perturbative ? diagonalise_perturbative(a)
                                                                                         : diagonalise(a, problem.hermitian());
            for (std::size_t o = 0; o < n_out; ++o) {
                Eigen::Index local = output_beams[o];
                if (!subset.empty())
                    local = std::lower_bound(subset.begin(), subset.end(), output_beams[o]) - subset.begin();
                for (std::size_t t = 0; t < n_thick; ++t)
                    values[(u * n_out + o) * n_thick + t] = std::norm(amplitude(system, local, settings.thicknesses[t]));
            }
        }
    });

    std::vector<std::size_t> slot(n_pixels, 0);
    for (std::size_t u = 0; u < unique.size(); ++u) slot[unique[u]] = u;
    result.discs.assign(n_out, std::vector<lacbed_image>(n_thick, lacbed_image{size, std::vector<double>(n_pixels)}));
    for (std::size_t p = 0; p < n_pixels; ++p) {
        const std::size_t u = slot[representative[p]];
        for (std::size_t o = 0; o < n_out; ++o)
            for (std::size_t t = 0; t < n_thick; ++t) result.discs[o][t].pixels[p] = values[(u * n_out + o) * n_thick + t];
    }
    double total = 0.0;
    for (int count : beam_counts) total += count;
    result.mean_beams_per_pixel = unique.empty() ? 0.0 : total / static_cast<double>(unique.size());
    return result;
}

}  // namespace physics
GAN_NAMESPACE_END

#pragma once
// The Bloch-wave eigenproblem for one incident direction.
//
// Structure matrix on a beam set {g_p}, 2 pi units (Spence; Felix's ZOLZ branch):
//   A_pp = s_p,   A_pq = (2 pi)^2 U_{g_p - g_q} / (2K),
// and psi(t) = C exp(i Gamma t) C^-1 e_0 with A = C Gamma C^-1. Without absorption A is Hermitian
// and the fast SelfAdjointEigenSolver path applies (C^-1 = C^dagger). With absorption U -> U + iU'
// and, unlike Felix, the mean absorption U'_0 stays on the diagonal, so the total intensity decays
// monotonically with thickness and never exceeds 1. One decomposition serves every thickness.
#include "gan/physics/eigen.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdint>
#include <limits>
#include <map>
#include <unordered_map>
#include <vector>

#include "gan/core/error.hpp"
#include "gan/physics/beams.hpp"
#include "gan/physics/bird_king.hpp"
#include "gan/physics/constants.hpp"
#include "gan/physics/crystal.hpp"
#include "gan/physics/structure_factor.hpp"
#include "gan/version.hpp"

GAN_NAMESPACE_BEGIN
namespace physics {

enum class absorption_model {
    none,
    // U'_g = i p U_g for every g including g = 0 (Felix IAbsorbFLAG 1, but keeping U'_0).
    proportional,
    // Thermal-diffuse-scattering absorption of Bird & King (bird_king.hpp), Felix IAbsorbFLAG 2.
    bird_king,
};

struct absorption_settings {
    absorption_model model = absorption_model::none;
    double fraction = 0.0;  // p, e.g. 0.1 for Felix's RAbsorptionPer = 10
    // Felix overwrites the diagonal with s_g and so drops U'_0; its intensities can then exceed 1.
    // false reproduces that, for comparison only.
    bool keep_mean_absorption = true;
    // First-order perturbation (Hirsch & Humphreys): diagonalise the Hermitian part only and give
    // each Bloch wave the decay (C^dagger W C)_jj, W the absorptive part. Several times faster than
    // the general solver; the error is second order in the absorption.
    bool perturbative = false;
};

class bloch_problem {
public:
    bloch_problem(const crystal& xtal, std::vector<beam> beams, double kilovolts,
                  absorption_settings absorption = {})
        : beams_(std::move(beams)), absorption_(absorption) {
        if (beams_.size() < 2)
            throw invalid_argument("a Bloch-wave calculation needs at least 2 beams (000 and one g); "
                                   "increase the g cut-off");
        if (!beams_.front().hkl.isZero())
            throw invalid_argument("the first beam of a beam set must be 000; build it with zolz_beam_pool");
        if (absorption.model == absorption_model::proportional && !(absorption.fraction >= 0.0))
            throw invalid_argument("proportional absorption fraction must be >= 0 (0.1 means U' = 0.1 U)");
        big_k_ = electron_wave_number(kilovolts);
        const double gamma = relativistic_gamma(kilovolts);
        const double to_u = gamma / (pi * xtal.volume());
        const complex absorb = absorption.model == absorption_model::proportional ? complex(1.0, absorption.fraction)
                                                                                   : complex(1.0, 0.0);
        // Many beam pairs share a difference vector; compute each U_g once.
        std::unordered_map<std::uint64_t, complex> cache;
        // Bird-King: one interpolation table per distinct (Z, B), over every |g_p - g_q| needed.
        std::map<std::pair<int, double>, bird_king_table> absorptive;
        if (absorption.model == absorption_model::bird_king) {
            double g_max = 0.0;
            for (const auto& a : beams_)
                for (const auto& b : beams_) g_max = std::max(g_max, (a.g - b.g).norm());
            for (const auto& atom : xtal.atoms()) {
                const auto species = std::make_pair(atom.atomic_number, atom.b_iso);
                if (!absorptive.contains(species))
                    absorptive.emplace(species, bird_king_table(atom.atomic_number, atom.b_iso, kilovolts, g_max));
            }
        }
        // U'_g / (i gamma / (pi V)): the structure-factor sum with f' in place of f.
        auto absorptive_structure_factor = [&](const Eigen::Vector3i& hkl) {
            const double g = two_pi * xtal.reciprocal_vector(hkl).norm();
            const double s2 = g * g / (16.0 * pi * pi);
            complex sum = 0.0;
            for (const auto& atom : xtal.atoms()) {
                const double f = absorptive.at({atom.atomic_number, atom.b_iso})(g);
                const double phase = -two_pi * hkl.cast<double>().dot(atom.fractional);
                sum += atom.occupancy * f * std::exp(-atom.b_iso * s2) * complex(std::cos(phase), std::sin(phase));
            }
            return sum;
        };
        auto key = [](const Eigen::Vector3i& v) {
            auto part = [](int x) { return static_cast<std::uint64_t>(static_cast<std::uint32_t>(x + 0x8000) & 0xFFFFu); };
            return part(v[0]) | (part(v[1]) << 16) | (part(v[2]) << 32);
        };
        const auto n = static_cast<Eigen::Index>(beams_.size());
        coupling_.resize(n, n);
        for (Eigen::Index p = 0; p < n; ++p)
            for (Eigen::Index q = 0; q < n; ++q) {
                const Eigen::Vector3i d = beams_[p].hkl - beams_[q].hkl;
                const auto k = key(d);
                auto it = cache.find(k);
                if (it == cache.end()) {
                    complex u = to_u * structure_factor(xtal, d) * absorb;
                    if (absorption.model == absorption_model::bird_king)
                        u += complex(0.0, 1.0) * to_u * absorptive_structure_factor(d);
                    it = cache.emplace(k, u).first;
                }
                coupling_(p, q) = it->second;
            }
        // sin(pi n) is not exactly 0 in floating point, so centrosymmetric U_g carry ~1e-17
        // imaginary parts; below 1e-13 relative they are rounding, not physics.
        const double largest = coupling_.cwiseAbs().maxCoeff();
        real_couplings_ = coupling_.imag().cwiseAbs().maxCoeff() <= 1e-13 * largest;
    }

    const std::vector<beam>& beams() const noexcept { return beams_; }
    Eigen::Index size() const noexcept { return static_cast<Eigen::Index>(beams_.size()); }
    double big_k() const noexcept { return big_k_; }
    bool hermitian() const noexcept { return absorption_.model == absorption_model::none; }
    // Hermitian with real couplings (a centrosymmetric crystal with the origin on an inversion
    // centre): the cheaper real symmetric solver applies.
    bool real_symmetric() const noexcept { return hermitian() && real_couplings_; }
    // U_{g_p - g_q} (+ i U'), 1/angstrom^2, over the whole beam set.
    const Eigen::MatrixXcd& coupling() const noexcept { return coupling_; }

    double excitation_error(Eigen::Index p, const Eigen::Vector2d& k_t,
                            excitation_error_formula formula = excitation_error_formula::ewald_sphere) const {
        return physics::excitation_error(beams_[static_cast<std::size_t>(p)].g, k_t, big_k_, formula);
    }

    // The structure matrix on a subset of the beams (indices into beams(), 000 first), or on all
    // of them when the subset is empty.
    Eigen::MatrixXcd structure_matrix(const Eigen::Vector2d& k_t, const std::vector<int>& subset = {},
                                      excitation_error_formula formula = excitation_error_formula::ewald_sphere) const {
        const double scale = two_pi * two_pi / (2.0 * big_k_);
        const bool all = subset.empty();
        const Eigen::Index m = all ? size() : static_cast<Eigen::Index>(subset.size());
        auto index = [&](Eigen::Index i) { return all ? i : static_cast<Eigen::Index>(subset[static_cast<std::size_t>(i)]); };
        Eigen::MatrixXcd a(m, m);
        const double mean_absorption = absorption_.keep_mean_absorption ? scale * coupling_(0, 0).imag() : 0.0;
        for (Eigen::Index q = 0; q < m; ++q) {
            const Eigen::Index bq = index(q);
            for (Eigen::Index p = 0; p < m; ++p) a(p, q) = scale * coupling_(index(p), bq);
            // Re U_0 is a uniform phase (the mean inner potential) and is dropped like in Felix;
            // Im U'_0 is the mean absorption and is kept.
            a(q, q) = complex(excitation_error(bq, k_t, formula), mean_absorption);
        }
        return a;
    }

    // The same matrix as real numbers, for real_symmetric() problems.
    Eigen::MatrixXd real_structure_matrix(const Eigen::Vector2d& k_t, const std::vector<int>& subset = {},
                                          excitation_error_formula formula = excitation_error_formula::ewald_sphere) const {
        if (!real_symmetric()) throw invalid_argument("real_structure_matrix needs real couplings and no absorption");
        const double scale = two_pi * two_pi / (2.0 * big_k_);
        const bool all = subset.empty();
        const Eigen::Index m = all ? size() : static_cast<Eigen::Index>(subset.size());
        auto index = [&](Eigen::Index i) { return all ? i : static_cast<Eigen::Index>(subset[static_cast<std::size_t>(i)]); };
        Eigen::MatrixXd a(m, m);
        for (Eigen::Index q = 0; q < m; ++q) {
            const Eigen::Index bq = index(q);
            for (Eigen::Index p = 0; p < m; ++p) a(p, q) = scale * coupling_(index(p), bq).real();
            a(q, q) = excitation_error(bq, k_t, formula);
        }
        return a;
    }

    // Felix's per-pixel strong-beam rule (bloch_mod.f90, StrongAndWeakBeamsDetermination): 000 plus
    // every g with |s_g| < s_max or |U_g / s_g| >= 0.5, s_max growing from 0.005 in steps of 0.005
    // until at least min_beams are in. Returns indices into beams(), ascending, 000 first.
    std::vector<int> felix_strong_beams(const Eigen::Vector2d& k_t, int min_beams,
                                        excitation_error_formula formula = excitation_error_formula::felix) const {
        if (min_beams > size())
            throw invalid_argument("the beam pool has " + std::to_string(size()) + " beams but " +
                                   std::to_string(min_beams) + " strong beams were requested; raise the g cut-off "
                                   "or lower the minimum number of strong beams");
        const auto n = static_cast<std::size_t>(size());
        std::vector<double> s(n);
        std::vector<char> strong(n, 0);
        for (std::size_t p = 0; p < n; ++p) s[p] = excitation_error(static_cast<Eigen::Index>(p), k_t, formula);
        strong[0] = 1;
        int count = 1;
        constexpr double min_perturbation_strength = 0.5;
        for (double s_max = 0.005; count < min_beams; s_max += 0.005)
            for (std::size_t p = 1; p < n; ++p) {
                if (strong[p]) continue;
                const double u = std::abs(coupling_(static_cast<Eigen::Index>(p), 0));
                if (std::abs(s[p]) < s_max || (s[p] != 0.0 && u / std::abs(s[p]) >= min_perturbation_strength) ||
                    s[p] == 0.0) {
                    strong[p] = 1;
                    ++count;
                }
            }
        std::vector<int> out;
        for (std::size_t p = 0; p < n; ++p)
            if (strong[p]) out.push_back(static_cast<int>(p));
        return out;
    }

private:
    std::vector<beam> beams_;
    absorption_settings absorption_;
    bool real_couplings_ = false;
    double big_k_ = 0.0;
    Eigen::MatrixXcd coupling_;
};

// A = C diag(gamma) C^-1 plus alpha = C^-1 e_0, which is all that propagation from a 000
// incident wave needs.
struct bloch_eigensystem {
    Eigen::VectorXcd eigenvalues;
    Eigen::MatrixXcd eigenvectors;
    Eigen::VectorXcd excitation;
};

inline bloch_eigensystem diagonalise(const Eigen::MatrixXcd& a, bool hermitian) {
    bloch_eigensystem out;
    if (hermitian) {
        Eigen::SelfAdjointEigenSolver<Eigen::MatrixXcd> solver(a, Eigen::ComputeEigenvectors);
        if (solver.info() != Eigen::Success) throw error("Hermitian Bloch-wave eigen-solve did not converge");
        out.eigenvalues = solver.eigenvalues().cast<complex>();
        out.eigenvectors = solver.eigenvectors();
        out.excitation = out.eigenvectors.row(0).adjoint();
    } else {
        Eigen::ComplexEigenSolver<Eigen::MatrixXcd> solver(a, true);
        if (solver.info() != Eigen::Success) throw error("complex Bloch-wave eigen-solve did not converge");
        out.eigenvalues = solver.eigenvalues();
        out.eigenvectors = solver.eigenvectors();
        Eigen::VectorXcd e0 = Eigen::VectorXcd::Zero(a.rows());
        e0[0] = 1.0;
        out.excitation = out.eigenvectors.partialPivLu().solve(e0);
    }
    return out;
}

// A = H + iW with H, W Hermitian: eigenvectors of H, eigenvalues gamma_j + i (C^dagger W C)_jj.
inline bloch_eigensystem diagonalise_perturbative(const Eigen::MatrixXcd& a) {
    const Eigen::MatrixXcd hermitian = 0.5 * (a + a.adjoint());
    const Eigen::MatrixXcd absorptive = (a - a.adjoint()) / complex(0.0, 2.0);
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXcd> solver(hermitian, Eigen::ComputeEigenvectors);
    if (solver.info() != Eigen::Success) throw error("Hermitian Bloch-wave eigen-solve did not converge");
    bloch_eigensystem out;
    out.eigenvectors = solver.eigenvectors();
    const Eigen::MatrixXcd wc = absorptive * out.eigenvectors;
    out.eigenvalues.resize(a.rows());
    for (Eigen::Index j = 0; j < a.rows(); ++j)
        out.eigenvalues[j] = complex(solver.eigenvalues()[j], out.eigenvectors.col(j).dot(wc.col(j)).real());
    out.excitation = out.eigenvectors.row(0).adjoint();
    return out;
}

// psi_p(t) = sum_j C_pj exp(i gamma_j t) alpha_j
inline complex amplitude(const bloch_eigensystem& system, Eigen::Index beam_index, double thickness) {
    complex sum = 0.0;
    for (Eigen::Index j = 0; j < system.eigenvalues.size(); ++j)
        sum += system.eigenvectors(beam_index, j) * std::exp(complex(0.0, thickness) * system.eigenvalues[j]) *
               system.excitation[j];
    return sum;
}

inline Eigen::VectorXcd wave_function(const bloch_eigensystem& system, double thickness) {
    Eigen::VectorXcd phase(system.eigenvalues.size());
    for (Eigen::Index j = 0; j < phase.size(); ++j)
        phase[j] = std::exp(complex(0.0, thickness) * system.eigenvalues[j]) * system.excitation[j];
    return system.eigenvectors * phase;
}

// For the bright field of a Hermitian A only e_0^T exp(iAt) e_0 = sum_j w_j exp(i lambda_j t) is
// needed, with w_j = |C_0j|^2. Householder tridiagonalisation A = Q T Q^dagger leaves e_0 fixed
// (Q acts on rows 1..n-1), so lambda_j and w_j are the eigenvalues and squared first eigenvector
// components of the real tridiagonal T (Golub-Welsch). Those come from implicit QR sweeps that
// rotate only one row instead of an n x n matrix: O(n^2) after the tridiagonalisation, instead of
// O(n^3) for the eigenvectors.
struct bright_field_spectrum {
    Eigen::VectorXd eigenvalues;
    Eigen::VectorXd weights;
};

namespace detail {

// Implicit symmetric tridiagonal QR with Wilkinson shifts (Golub & Van Loan, Alg. 8.3.2),
// accumulating only the first row of the eigenvector matrix.
inline bright_field_spectrum tridiagonal_first_row_spectrum(Eigen::VectorXd diag, Eigen::VectorXd sub) {
    const Eigen::Index n = diag.size();
    Eigen::VectorXd first = Eigen::VectorXd::Zero(n);
    first[0] = 1.0;
    const double eps = std::numeric_limits<double>::epsilon();
    const double tiny = std::numeric_limits<double>::min();
    Eigen::Index end = n - 1;
    long iterations = 0;
    while (end > 0) {
        for (Eigen::Index i = 0; i < end; ++i)
            if (std::abs(sub[i]) <= eps * (std::abs(diag[i]) + std::abs(diag[i + 1])) || std::abs(sub[i]) < tiny)
                sub[i] = 0.0;
        while (end > 0 && sub[end - 1] == 0.0) --end;
        if (end == 0) break;
        if (++iterations > 30 * n) throw error("tridiagonal QR did not converge in the bright-field solve");
        Eigen::Index start = end - 1;
        while (start > 0 && sub[start - 1] != 0.0) --start;
        // Wilkinson shift from the trailing 2x2 block.
        const double td = 0.5 * (diag[end - 1] - diag[end]);
        const double e = sub[end - 1];
        double mu = diag[end];
        if (td == 0.0) mu -= std::abs(e);
        else mu -= e * e / (td + (td > 0 ? std::hypot(td, e) : -std::hypot(td, e)));
        double x = diag[start] - mu;
        double z = sub[start];
        for (Eigen::Index k = start; k < end && z != 0.0; ++k) {
            Eigen::JacobiRotation<double> rot;
            rot.makeGivens(x, z);
            const double c = rot.c(), s = rot.s();
            const double sdk = s * diag[k] + c * sub[k];
            const double dkp1 = s * sub[k] + c * diag[k + 1];
            diag[k] = c * (c * diag[k] - s * sub[k]) - s * (c * sub[k] - s * diag[k + 1]);
            diag[k + 1] = s * sdk + c * dkp1;
            sub[k] = c * sdk - s * dkp1;
            if (k > start) sub[k - 1] = c * sub[k - 1] - s * z;
            x = sub[k];
            if (k < end - 1) {
                z = -s * sub[k + 1];
                sub[k + 1] = c * sub[k + 1];
            }
            const double fk = first[k], fk1 = first[k + 1];
            first[k] = c * fk - s * fk1;
            first[k + 1] = s * fk + c * fk1;
        }
    }
    return {std::move(diag), first.cwiseAbs2()};
}

}  // namespace detail

// Works for Eigen::MatrixXd (real symmetric) and Eigen::MatrixXcd (Hermitian); reads the lower triangle.
template <class Matrix>
bright_field_spectrum bright_field_spectrum_of(const Matrix& a) {
    if (a.rows() == 1) return {Eigen::VectorXd::Constant(1, std::real(a(0, 0))), Eigen::VectorXd::Ones(1)};
    Eigen::Tridiagonalization<Matrix> tri(a);
    return detail::tridiagonal_first_row_spectrum(tri.diagonal(), tri.subDiagonal());
}

inline complex bright_field_amplitude(const bright_field_spectrum& spectrum, double thickness) {
    complex sum = 0.0;
    for (Eigen::Index j = 0; j < spectrum.eigenvalues.size(); ++j)
        sum += spectrum.weights[j] * std::exp(complex(0.0, spectrum.eigenvalues[j] * thickness));
    return sum;
}

}  // namespace physics
GAN_NAMESPACE_END

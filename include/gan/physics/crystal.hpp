#pragma once
// A crystal as the simulator sees it: a lattice plus every atom of the unit cell (already
// expanded by symmetry), each with atomic number, fractional position, occupancy and isotropic
// Debye-Waller factor B (angstrom^2).
#include "gan/physics/eigen.hpp"

#include <array>
#include <cmath>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gan/core/error.hpp"
#include "gan/physics/constants.hpp"
#include "gan/physics/scattering_factors.hpp"
#include "gan/version.hpp"

GAN_NAMESPACE_BEGIN
namespace physics {

struct atom_site {
    int atomic_number = 0;
    Eigen::Vector3d fractional = Eigen::Vector3d::Zero();
    double occupancy = 1.0;
    double b_iso = 0.0;  // angstrom^2; DW factor exp(-B s^2), s = sin(theta)/lambda
};

inline atom_site make_atom(std::string_view element, double x, double y, double z, double b_iso = 0.0,
                           double occupancy = 1.0) {
    return {atomic_number(element), Eigen::Vector3d(x, y, z), occupancy, b_iso};
}

struct lattice_parameters {
    double a = 0, b = 0, c = 0;                  // angstrom
    double alpha = 90, beta = 90, gamma = 90;    // degrees
};

// Lattice centrings whose translations the beam pool uses to skip reflections that can never be
// excited (they decouple from 000 entirely, so leaving them out changes nothing but the cost).
enum class centring { primitive, body, face, a_face, b_face, c_face };

class crystal {
public:
    crystal(lattice_parameters lattice, std::vector<atom_site> atoms, std::string name = {})
        : lattice_(lattice), atoms_(std::move(atoms)), name_(std::move(name)) {
        validate();
        build_bases();
    }

    const lattice_parameters& lattice() const noexcept { return lattice_; }
    const std::vector<atom_site>& atoms() const noexcept { return atoms_; }
    const std::string& name() const noexcept { return name_; }

    // Columns are the direct basis vectors a, b, c in a Cartesian crystal frame (angstrom).
    const Eigen::Matrix3d& direct_basis() const noexcept { return direct_; }
    // Rows are a*, b*, c* in the same frame, in 1/angstrom without the 2 pi (a* . a = 1).
    const Eigen::Matrix3d& reciprocal_basis() const noexcept { return reciprocal_; }

    double computed_volume() const noexcept { return std::abs(direct_.determinant()); }
    // Felix uses a CIF's _cell_volume in place of the computed one; the override reproduces that.
    double volume() const noexcept { return volume_override_.value_or(computed_volume()); }
    void set_volume_override(double volume) {
        if (!(volume > 0.0))
            throw invalid_argument("cell volume override must be positive (angstrom^3); omit it to use the lattice");
        volume_override_ = volume;
    }

    Eigen::Vector3d reciprocal_vector(const Eigen::Vector3i& hkl) const {
        return reciprocal_.transpose() * hkl.cast<double>();
    }
    Eigen::Vector3d direct_vector(const Eigen::Vector3i& uvw) const { return direct_ * uvw.cast<double>(); }

    // The centring whose translations map the atom list onto itself (same Z, occupancy and B).
    centring detect_centring() const {
        const std::array<std::pair<centring, std::vector<Eigen::Vector3d>>, 5> candidates = {{
            {centring::face, {{0, .5, .5}, {.5, 0, .5}, {.5, .5, 0}}},
            {centring::body, {{.5, .5, .5}}},
            {centring::a_face, {{0, .5, .5}}},
            {centring::b_face, {{.5, 0, .5}}},
            {centring::c_face, {{.5, .5, 0}}},
        }};
        for (const auto& [kind, translations] : candidates) {
            bool all = true;
            for (const auto& t : translations) all = all && invariant_under(t);
            if (all) return kind;
        }
        return centring::primitive;
    }

private:
    void validate() const {
        const auto& l = lattice_;
        if (!(l.a > 0 && l.b > 0 && l.c > 0))
            throw invalid_argument("lattice parameters a, b, c must be positive lengths in angstrom");
        for (double angle : {l.alpha, l.beta, l.gamma})
            if (!(angle > 0 && angle < 180))
                throw invalid_argument("lattice angles must lie strictly between 0 and 180 degrees");
        if (atoms_.empty()) throw invalid_argument("a crystal needs at least one atom in its unit cell");
        for (const auto& atom : atoms_) {
            require_atomic_number(atom.atomic_number);
            if (!(atom.occupancy > 0.0 && atom.occupancy <= 1.0))
                throw invalid_argument("site occupancy must be in (0, 1]; drop sites with zero occupancy");
            if (!(atom.b_iso >= 0.0))
                throw invalid_argument("Debye-Waller B_iso must be >= 0 angstrom^2");
        }
    }

    void build_bases() {
        const auto& l = lattice_;
        const double deg = pi / 180.0;
        const double ca = std::cos(l.alpha * deg), cb = std::cos(l.beta * deg);
        const double cg = std::cos(l.gamma * deg), sg = std::sin(l.gamma * deg);
        const double cy = (ca - cb * cg) / sg;
        const double cz2 = 1.0 - cb * cb - cy * cy;
        if (!(cz2 > 0.0)) throw invalid_argument("lattice angles do not form a valid cell; check alpha, beta, gamma");
        direct_.col(0) = Eigen::Vector3d(l.a, 0, 0);
        direct_.col(1) = Eigen::Vector3d(l.b * cg, l.b * sg, 0);
        direct_.col(2) = Eigen::Vector3d(l.c * cb, l.c * cy, l.c * std::sqrt(cz2));
        reciprocal_ = direct_.inverse();
    }

    bool invariant_under(const Eigen::Vector3d& t) const {
        auto wrapped_distance = [](const Eigen::Vector3d& d) {
            Eigen::Vector3d w = d;
            for (int i = 0; i < 3; ++i) w[i] -= std::round(w[i]);
            return w.norm();
        };
        for (const auto& a : atoms_) {
            bool found = false;
            for (const auto& b : atoms_) {
                if (b.atomic_number == a.atomic_number && std::abs(b.occupancy - a.occupancy) < 1e-9 &&
                    std::abs(b.b_iso - a.b_iso) < 1e-9 && wrapped_distance(a.fractional + t - b.fractional) < 1e-6) {
                    found = true;
                    break;
                }
            }
            if (!found) return false;
        }
        return true;
    }

    lattice_parameters lattice_;
    std::vector<atom_site> atoms_;
    std::string name_;
    std::optional<double> volume_override_;
    Eigen::Matrix3d direct_ = Eigen::Matrix3d::Zero();
    Eigen::Matrix3d reciprocal_ = Eigen::Matrix3d::Zero();
};

inline bool reflection_allowed_by_centring(centring kind, const Eigen::Vector3i& hkl) {
    const int h = hkl[0], k = hkl[1], l = hkl[2];
    auto even = [](int v) { return v % 2 == 0; };
    switch (kind) {
        case centring::primitive: return true;
        case centring::body: return even(h + k + l);
        case centring::face: return even(h + k) && even(k + l) && even(h + l);
        case centring::a_face: return even(k + l);
        case centring::b_face: return even(h + l);
        case centring::c_face: return even(h + k);
    }
    return true;
}

// Applies lattice-centring translations to a list of sites, so that e.g. zinc blende is written as
// its two Wyckoff atoms plus centring::face.
inline std::vector<atom_site> expand_centring(const std::vector<atom_site>& sites, centring kind) {
    std::vector<Eigen::Vector3d> translations{{0, 0, 0}};
    switch (kind) {
        case centring::primitive: break;
        case centring::body: translations.push_back({.5, .5, .5}); break;
        case centring::face:
            translations.insert(translations.end(), {{0, .5, .5}, {.5, 0, .5}, {.5, .5, 0}});
            break;
        case centring::a_face: translations.push_back({0, .5, .5}); break;
        case centring::b_face: translations.push_back({.5, 0, .5}); break;
        case centring::c_face: translations.push_back({.5, .5, 0}); break;
    }
    std::vector<atom_site> out;
    for (const auto& site : sites)
        for (const auto& t : translations) {
            atom_site moved = site;
            moved.fractional += t;
            for (int i = 0; i < 3; ++i) moved.fractional[i] -= std::floor(moved.fractional[i]);
            out.push_back(moved);
        }
    return out;
}

inline crystal cubic_crystal(double a, std::vector<atom_site> atoms, std::string name = {}) {
    return crystal({a, a, a, 90, 90, 90}, std::move(atoms), std::move(name));
}

}  // namespace physics
GAN_NAMESPACE_END

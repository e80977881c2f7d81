#pragma once
// Cubic prototype families for synthetic training data: each family is a structure type (rock
// salt, zinc blende, ...) with Wyckoff sites, chemically sensible element pools per site and a
// lattice-parameter estimate from tabulated radii, so that a seed draws plausible crystals on any
// machine.
//
// Radii (angstrom), chosen per family by the bond that fixes its cell:
//  * ionic: R. D. Shannon, Acta Cryst. A32 (1976) 751, for the coordination number of that site
//    (e.g. Cs+ 1.74 at CN 8 in CsCl, 1.67 would be CN 6);
//  * covalent: B. Cordero et al., Dalton Trans. (2008) 2832 (tetrahedral and half-Heusler bonds);
//  * metallic: CN-12 radii of Teatum, Gschneidner and Waber (LA-4003, 1968) as tabulated by
//    Pearson (intermetallics).
// The estimates are within a few percent of measured cells (NaCl 5.66 vs 5.64, GaAs 5.57 vs 5.65,
// SrTiO3 4.01 vs 3.91, CaF2 5.61 vs 5.46); the network only needs them plausible and consistent.
#include "gan/physics/eigen.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <map>
#include <numeric>
#include <string>
#include <vector>

#include "gan/core/error.hpp"
#include "gan/core/random.hpp"
#include "gan/physics/crystal.hpp"
#include "gan/version.hpp"

GAN_NAMESPACE_BEGIN
namespace physics {

struct element_choice {
    const char* symbol;
    double radius;  // angstrom, of the kind the family's lattice rule uses (see the file comment)
};

struct prototype_site {
    const char* wyckoff;                       // e.g. "4a"
    std::vector<Eigen::Vector3d> positions;    // fractional, before the family's centring
    std::vector<element_choice> elements;      // one is drawn per sample
};

// One chemically coherent variant of a family (II-VI vs III-V zinc blende, oxide vs fluoride
// perovskite): its own element pools, the same sites.
struct prototype_variant {
    const char* name;
    std::vector<prototype_site> sites;

    // Distinct compounds the variant can draw: the product of its element pools.
    std::size_t compositions() const {
        std::size_t n = 1;
        for (const auto& s : sites) n *= s.elements.size();
        return n;
    }
};

struct prototype_family {
    const char* name;          // "zinc-blende"; matched case-insensitively on the command line
    const char* space_group;   // Hermann-Mauguin
    int space_group_number = 0;
    centring lattice_centring = centring::primitive;
    std::vector<prototype_variant> variants;
    // Cubic a from the drawn radii, one per site in site order.
    double (*lattice_rule)(const std::vector<double>& radii) = nullptr;

    std::size_t compositions() const {
        std::size_t n = 0;
        for (const auto& v : variants) n += v.compositions();
        return n;
    }
};

// One drawn site: its element, radius and B, and every atom it puts in the conventional cell.
struct sampled_site {
    std::string wyckoff;
    std::string element;
    double radius = 0.0;
    double b_iso = 0.0;                          // angstrom^2
    std::vector<Eigen::Vector3d> positions;      // fractional, centring already applied
};

struct sampled_structure {
    std::string formula;        // reduced, in the family's site order: "GaAs", "CaF2", "SrTiO3"
    std::string prototype;      // family name
    std::string variant;
    std::string space_group;
    int space_group_number = 0;
    double lattice_parameter = 0.0;  // angstrom
    std::vector<sampled_site> sites;

    crystal to_crystal() const {
        std::vector<atom_site> atoms;
        for (const auto& s : sites)
            for (const auto& p : s.positions) atoms.push_back(make_atom(s.element, p[0], p[1], p[2], s.b_iso));
        return cubic_crystal(lattice_parameter, std::move(atoms), formula);
    }

    // Samples that only differ in B or a rounding of the cell are the same compound to a network,
    // so splits group by the element set (which also groups by formula).
    std::string chemistry_key() const {
        std::vector<std::string> elements;
        for (const auto& s : sites) elements.push_back(s.element);
        std::sort(elements.begin(), elements.end());
        elements.erase(std::unique(elements.begin(), elements.end()), elements.end());
        std::string key;
        for (const auto& e : elements) key += e + (e == elements.back() ? "" : "-");
        return key;
    }
};

// How a family and a variant are chosen. `composition` makes every distinct compound equally
// likely: drawing the family uniformly instead gives diamond's four elements as many samples as
// half-Heusler's 48 compounds, so a structure-disjoint test split of a few hundred crystals ends up
// dominated by near-copies of one compound that differ only in B (one carbon group was 43 % of
// a 30-crystal test split). `family` is the earlier rule, kept so that older datasets resume.
enum class prototype_weighting { composition, family };

struct prototype_sampling {
    double b_min = 0.2, b_max = 1.5;  // angstrom^2, uniform per site (room-temperature range)
    std::vector<std::string> families;  // empty: all
    prototype_weighting weighting = prototype_weighting::composition;
};

inline const char* weighting_name(prototype_weighting w) {
    return w == prototype_weighting::composition ? "composition" : "family";
}

inline prototype_weighting weighting_named(const std::string& name) {
    if (name == "composition") return prototype_weighting::composition;
    if (name == "family") return prototype_weighting::family;
    throw invalid_argument("prototype weighting must be 'composition' (every compound equally likely) or 'family' "
                           "(every family equally likely), not '" + name + "'");
}

namespace detail {

inline std::vector<Eigen::Vector3d> fractional(std::initializer_list<std::array<double, 3>> list) {
    std::vector<Eigen::Vector3d> out;
    for (const auto& p : list) out.emplace_back(p[0], p[1], p[2]);
    return out;
}

inline const double sqrt3 = std::sqrt(3.0);
inline const double sqrt2 = std::sqrt(2.0);

}  // namespace detail

// The families, in a fixed order (the order is part of what a seed means).
inline const std::vector<prototype_family>& prototype_families() {
    using detail::fractional;
    static const std::vector<prototype_family> families = [] {
        std::vector<prototype_family> f;
        // Ionic radii, Shannon: cations CN 6, anions CN 6.
        const std::vector<element_choice> alkali6 = {{"Li", 0.76}, {"Na", 1.02}, {"K", 1.38}, {"Rb", 1.52}};
        const std::vector<element_choice> halide6 = {{"F", 1.33}, {"Cl", 1.81}, {"Br", 1.96}, {"I", 2.20}};
        const std::vector<element_choice> earth6 = {{"Mg", 0.72}, {"Ca", 1.00}, {"Sr", 1.18}, {"Ba", 1.35}};
        const std::vector<element_choice> chalcogenide6 = {{"O", 1.40}, {"S", 1.84}, {"Se", 1.98}, {"Te", 2.21}};
        // Rock salt: cation-anion contact along the cell edge, a = 2 (r+ + r-).
        f.push_back({"rock-salt", "Fm-3m", 225, centring::face,
                     {{"alkali halide", {{"4a", fractional({{0, 0, 0}}), alkali6}, {"4b", fractional({{.5, .5, .5}}), halide6}}},
                      {"alkaline-earth chalcogenide",
                       {{"4a", fractional({{0, 0, 0}}), earth6}, {"4b", fractional({{.5, .5, .5}}), chalcogenide6}}}},
                     [](const std::vector<double>& r) { return 2.0 * (r[0] + r[1]); }});
        // Zinc blende: tetrahedral bond along the body diagonal, a = 4 (rA + rB) / sqrt 3 (covalent
        // radii). The variants differ only in how ionic the bond is, at almost the same cell: the
        // published work found such crystals the hardest to tell apart.
        f.push_back({"zinc-blende", "F-43m", 216, centring::face,
                     {{"III-V",
                       {{"4a", fractional({{0, 0, 0}}), {{"Al", 1.21}, {"Ga", 1.22}, {"In", 1.42}}},
                        {"4c", fractional({{.25, .25, .25}}), {{"P", 1.07}, {"As", 1.19}, {"Sb", 1.39}}}}},
                      {"II-VI",
                       {{"4a", fractional({{0, 0, 0}}), {{"Zn", 1.22}, {"Cd", 1.44}, {"Hg", 1.32}}},
                        {"4c", fractional({{.25, .25, .25}}), {{"S", 1.05}, {"Se", 1.20}, {"Te", 1.38}}}}},
                      {"I-VII",
                       {{"4a", fractional({{0, 0, 0}}), {{"Cu", 1.32}, {"Ag", 1.45}}},
                        {"4c", fractional({{.25, .25, .25}}), {{"Cl", 1.02}, {"Br", 1.20}, {"I", 1.39}}}}},
                      {"IV-IV",
                       {{"4a", fractional({{0, 0, 0}}), {{"Si", 1.11}}},
                        {"4c", fractional({{.25, .25, .25}}), {{"C", 0.76}, {"Ge", 1.20}}}}}},
                     [](const std::vector<double>& r) { return 4.0 * (r[0] + r[1]) / detail::sqrt3; }});
        // Diamond: the zinc-blende bond with one element, a = 8 r / sqrt 3.
        f.push_back({"diamond", "Fd-3m", 227, centring::face,
                     {{"group IV", {{"8a", fractional({{0, 0, 0}, {.25, .25, .25}}), {{"C", 0.76}, {"Si", 1.11}, {"Ge", 1.20}, {"Sn", 1.39}}}}}},
                     [](const std::vector<double>& r) { return 8.0 * r[0] / detail::sqrt3; }});
        // Half-Heusler XYZ (MgAgAs type): Y-Z bonds along the body diagonal (a sqrt 3 / 4) and X-Z
        // along the edge (a / 2); the estimate averages the two covalent contacts.
        f.push_back({"half-Heusler", "F-43m", 216, centring::face,
                     {{"XYZ",
                       {{"4b", fractional({{.5, .5, .5}}), {{"Sc", 1.70}, {"Ti", 1.60}, {"Zr", 1.75}, {"Hf", 1.75}}},
                        {"4c", fractional({{.25, .25, .25}}), {{"Co", 1.26}, {"Ni", 1.24}, {"Pd", 1.39}, {"Pt", 1.36}}},
                        {"4a", fractional({{0, 0, 0}}), {{"Sn", 1.39}, {"Sb", 1.39}, {"Bi", 1.48}}}}}},
                     [](const std::vector<double>& r) {
                         return 0.5 * (4.0 * (r[1] + r[2]) / detail::sqrt3 + 2.0 * (r[0] + r[2]));
                     }});
        // CsCl: contact along the body diagonal, a = 2 (r+ + r-) / sqrt 3. Ionic (Shannon CN 8
        // cations) and B2 intermetallics (metallic CN-12 radii).
        f.push_back({"CsCl", "Pm-3m", 221, centring::primitive,
                     {{"caesium/thallium halide",
                       {{"1a", fractional({{0, 0, 0}}), {{"Cs", 1.74}, {"Tl", 1.59}}},
                        {"1b", fractional({{.5, .5, .5}}), {{"Cl", 1.81}, {"Br", 1.96}, {"I", 2.20}}}}},
                      {"B2 intermetallic",
                       {{"1a", fractional({{0, 0, 0}}), {{"Fe", 1.26}, {"Co", 1.25}, {"Ni", 1.25}, {"Cu", 1.28}}},
                        {"1b", fractional({{.5, .5, .5}}), {{"Al", 1.43}, {"Ga", 1.41}, {"Zn", 1.39}}}}}},
                     [](const std::vector<double>& r) { return 2.0 * (r[0] + r[1]) / detail::sqrt3; }});
        // Fluorite AX2: cation (CN 8) - anion (CN 4) along the body diagonal, a = 4 (rA + rX) / sqrt 3.
        f.push_back({"fluorite", "Fm-3m", 225, centring::face,
                     {{"fluoride",
                       {{"4a", fractional({{0, 0, 0}}), {{"Ca", 1.12}, {"Sr", 1.26}, {"Ba", 1.42}, {"Cd", 1.10}, {"Pb", 1.29}}},
                        {"8c", fractional({{.25, .25, .25}, {.75, .75, .75}}), {{"F", 1.31}}}}},
                      {"dioxide",
                       {{"4a", fractional({{0, 0, 0}}), {{"Zr", 0.84}, {"Ce", 0.97}, {"Th", 1.05}, {"U", 1.00}}},
                        {"8c", fractional({{.25, .25, .25}, {.75, .75, .75}}), {{"O", 1.38}}}}}},
                     [](const std::vector<double>& r) { return 4.0 * (r[0] + r[1]) / detail::sqrt3; }});
        // Antifluorite A2X: the same cell with cation and anion sites swapped (cation CN 4).
        f.push_back({"antifluorite", "Fm-3m", 225, centring::face,
                     {{"alkali chalcogenide",
                       {{"8c", fractional({{.25, .25, .25}, {.75, .75, .75}}), {{"Li", 0.59}, {"Na", 0.99}, {"K", 1.37}}},
                        {"4a", fractional({{0, 0, 0}}), {{"O", 1.38}, {"S", 1.84}, {"Se", 1.98}}}}}},
                     [](const std::vector<double>& r) { return 4.0 * (r[0] + r[1]) / detail::sqrt3; }});
        // Cubic perovskite ABX3 (SrTiO3 setting): B-X contact along the edge, a = 2 (rB + rX). The
        // A radii (Shannon CN 12) are recorded but do not set the cell.
        f.push_back({"perovskite", "Pm-3m", 221, centring::primitive,
                     {{"oxide",
                       {{"1a", fractional({{0, 0, 0}}), {{"Ca", 1.34}, {"Sr", 1.44}, {"Ba", 1.61}, {"Pb", 1.49}}},
                        {"1b", fractional({{.5, .5, .5}}), {{"Ti", 0.605}, {"Zr", 0.72}, {"Sn", 0.69}, {"Hf", 0.71}}},
                        {"3c", fractional({{.5, .5, 0}, {.5, 0, .5}, {0, .5, .5}}), {{"O", 1.40}}}}},
                      {"fluoride",
                       {{"1a", fractional({{0, 0, 0}}), {{"K", 1.64}, {"Rb", 1.72}, {"Cs", 1.88}}},
                        {"1b", fractional({{.5, .5, .5}}), {{"Mg", 0.72}, {"Zn", 0.74}, {"Ni", 0.69}, {"Co", 0.745}}},
                        {"3c", fractional({{.5, .5, 0}, {.5, 0, .5}, {0, .5, .5}}), {{"F", 1.33}}}}}},
                     [](const std::vector<double>& r) { return 2.0 * (r[1] + r[2]); }});
        // Cu3Au (L1_2): A at the corner, B on the face centres; A-B contact a / sqrt 2 (metallic).
        f.push_back({"Cu3Au", "Pm-3m", 221, centring::primitive,
                     {{"L1_2 intermetallic",
                       {{"1a", fractional({{0, 0, 0}}), {{"Au", 1.44}, {"Pt", 1.39}, {"Al", 1.43}, {"Sn", 1.58}}},
                        {"3c", fractional({{0, .5, .5}, {.5, 0, .5}, {.5, .5, 0}}), {{"Cu", 1.28}, {"Ni", 1.25}, {"Pd", 1.37}}}}}},
                     [](const std::vector<double>& r) { return detail::sqrt2 * (r[0] + r[1]); }});
        return f;
    }();
    return families;
}

inline const prototype_family& prototype_family_named(const std::string& name) {
    auto same = [](const std::string& a, const char* b) {
        return std::equal(a.begin(), a.end(), b, b + std::char_traits<char>::length(b),
                          [](char x, char y) { return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y)); });
    };
    for (const auto& f : prototype_families())
        if (same(name, f.name)) return f;
    std::string known;
    for (const auto& f : prototype_families()) known += std::string(known.empty() ? "" : ", ") + f.name;
    throw invalid_argument("unknown prototype family '" + name + "'; choose from " + known);
}

namespace detail {

inline std::size_t pick(Random& rng, std::size_t count) {
    return std::min(count - 1, static_cast<std::size_t>(rng.uniform() * static_cast<double>(count)));
}

// Index drawn with probability proportional to its weight; one draw, like pick().
inline std::size_t pick_weighted(Random& rng, const std::vector<std::size_t>& weights) {
    const std::size_t total = std::accumulate(weights.begin(), weights.end(), std::size_t{0});
    std::size_t ticket = pick(rng, total);
    for (std::size_t i = 0; i < weights.size(); ++i) {
        if (ticket < weights[i]) return i;
        ticket -= weights[i];
    }
    return weights.size() - 1;
}

inline std::string reduced_formula(const std::vector<sampled_site>& sites) {
    std::vector<std::pair<std::string, long>> counts;
    for (const auto& s : sites) {
        // Multiplicity in the conventional cell, centring included.
        const long n = static_cast<long>(s.positions.size());
        auto it = std::find_if(counts.begin(), counts.end(), [&](const auto& c) { return c.first == s.element; });
        if (it == counts.end()) counts.emplace_back(s.element, n);
        else it->second += n;
    }
    long divisor = 0;
    for (const auto& c : counts) divisor = std::gcd(divisor, c.second);
    std::string formula;
    for (const auto& c : counts) {
        formula += c.first;
        if (c.second / divisor != 1) formula += std::to_string(c.second / divisor);
    }
    return formula;
}

}  // namespace detail

// Draws one structure of the given family; consumes a fixed number of draws per site. Under
// composition weighting the variant is drawn in proportion to its compounds, so that every compound
// of the family is equally likely.
inline sampled_structure sample_prototype(const prototype_family& family, Random& rng, const prototype_sampling& s = {}) {
    if (!(s.b_min >= 0.0 && s.b_max >= s.b_min))
        throw invalid_argument("B_iso range must satisfy 0 <= b_min <= b_max (angstrom^2), e.g. 0.2..1.5");
    std::vector<std::size_t> weights;
    for (const auto& v : family.variants)
        weights.push_back(s.weighting == prototype_weighting::composition ? v.compositions() : 1);
    const auto& variant = family.variants[detail::pick_weighted(rng, weights)];
    sampled_structure out;
    out.prototype = family.name;
    out.variant = variant.name;
    out.space_group = family.space_group;
    out.space_group_number = family.space_group_number;
    std::vector<double> radii;
    for (const auto& site : variant.sites) {
        const auto& choice = site.elements[detail::pick(rng, site.elements.size())];
        sampled_site drawn;
        drawn.wyckoff = site.wyckoff;
        drawn.element = choice.symbol;
        drawn.radius = choice.radius;
        drawn.b_iso = s.b_min + (s.b_max - s.b_min) * rng.uniform();
        std::vector<atom_site> generators;
        for (const auto& p : site.positions) generators.push_back(make_atom(choice.symbol, p[0], p[1], p[2]));
        for (const auto& a : expand_centring(generators, family.lattice_centring)) drawn.positions.push_back(a.fractional);
        radii.push_back(choice.radius);
        out.sites.push_back(std::move(drawn));
    }
    out.lattice_parameter = family.lattice_rule(radii);
    out.formula = detail::reduced_formula(out.sites);
    return out;
}

// Sample `index` of a seeded stream: the family (weighted as s.weighting says), then the variant and
// the elements. Each index owns its own stretch of the Philox stream, so a sample does not depend
// on how many were drawn before it, nor on the thread that draws it.
inline sampled_structure sample_structure(std::uint64_t seed, std::uint64_t index, const prototype_sampling& s = {}) {
    Random rng(seed, index << 16);
    std::vector<const prototype_family*> allowed;
    if (s.families.empty())
        for (const auto& f : prototype_families()) allowed.push_back(&f);
    else
        for (const auto& name : s.families) allowed.push_back(&prototype_family_named(name));
    std::vector<std::size_t> weights;
    for (const auto* f : allowed) weights.push_back(s.weighting == prototype_weighting::composition ? f->compositions() : 1);
    return sample_prototype(*allowed[detail::pick_weighted(rng, weights)], rng, s);
}

}  // namespace physics
GAN_NAMESPACE_END

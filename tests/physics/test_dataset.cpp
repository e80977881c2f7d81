// Prototype families, structure-disjoint splits and one tiny dataset sample.
#include <doctest/doctest.h>

#include <gan/physics/dataset.hpp>
#include <gan/physics/structure_factor.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <set>

using namespace gan::physics;

namespace {

const prototype_family& family(const char* name) { return prototype_family_named(name); }

// Every atom of a crystal, as (Z, position) with positions wrapped into [0, 1).
bool has_atom(const crystal& x, const char* element, Eigen::Vector3d p) {
    for (const auto& a : x.atoms()) {
        Eigen::Vector3d d = a.fractional - p;
        for (int i = 0; i < 3; ++i) d[i] -= std::round(d[i]);
        if (a.atomic_number == atomic_number(element) && d.norm() < 1e-12) return true;
    }
    return false;
}

}  // namespace

TEST_CASE("prototypes: every family draws a valid cubic cell with its stoichiometry and centring") {
    const std::map<std::string, std::pair<int, std::vector<int>>> expected = {
        // family: atoms in the conventional cell, multiplicity per site
        {"rock-salt", {8, {4, 4}}},     {"zinc-blende", {8, {4, 4}}}, {"diamond", {8, {8}}},
        {"half-Heusler", {12, {4, 4, 4}}}, {"CsCl", {2, {1, 1}}},     {"fluorite", {12, {4, 8}}},
        {"antifluorite", {12, {8, 4}}}, {"perovskite", {5, {1, 1, 3}}}, {"Cu3Au", {4, {1, 3}}},
    };
    REQUIRE(prototype_families().size() == expected.size());
    for (const auto& f : prototype_families()) {
        const std::string name = f.name;
        CAPTURE(name);
        const auto& [atoms, multiplicities] = expected.at(f.name);
        gan::Random rng(11);
        for (int draw = 0; draw < 20; ++draw) {
            const auto s = sample_prototype(f, rng);
            const crystal x = s.to_crystal();
            CHECK(static_cast<int>(x.atoms().size()) == atoms);
            REQUIRE(s.sites.size() == multiplicities.size());
            for (std::size_t i = 0; i < s.sites.size(); ++i) CHECK(static_cast<int>(s.sites[i].positions.size()) == multiplicities[i]);
            CHECK(x.detect_centring() == f.lattice_centring);
            CHECK(s.lattice_parameter > 3.0);
            CHECK(s.lattice_parameter < 8.0);  // K2Se, the largest cell drawn, is 7.68 A
            for (const auto& site : s.sites) {
                CHECK(site.b_iso >= 0.2);
                CHECK(site.b_iso <= 1.5);
            }
            // No two atoms on one spot.
            for (std::size_t i = 0; i < x.atoms().size(); ++i)
                for (std::size_t j = i + 1; j < x.atoms().size(); ++j) {
                    Eigen::Vector3d d = x.atoms()[i].fractional - x.atoms()[j].fractional;
                    for (int k = 0; k < 3; ++k) d[k] -= std::round(d[k]);
                    CHECK(d.norm() > 0.2);
                }
        }
    }
}

TEST_CASE("prototypes: formulas, Wyckoff positions and lattice estimates of known compounds") {
    gan::Random rng(3);
    // Reduced formulas follow the stoichiometry, whatever elements were drawn.
    for (int i = 0; i < 10; ++i) {
        const auto fl = sample_prototype(family("fluorite"), rng);
        CHECK(fl.formula == fl.sites[0].element + fl.sites[1].element + "2");
        const auto pv = sample_prototype(family("perovskite"), rng);
        CHECK(pv.formula == pv.sites[0].element + pv.sites[1].element + pv.sites[2].element + "3");
        const auto af = sample_prototype(family("antifluorite"), rng);
        CHECK(af.formula == af.sites[0].element + "2" + af.sites[1].element);
        const auto di = sample_prototype(family("diamond"), rng);
        CHECK(di.formula == di.sites[0].element);
    }
    const auto zb = sample_prototype(family("zinc-blende"), rng);
    const crystal x = zb.to_crystal();
    const char* a = zb.sites[0].element.c_str();
    const char* b = zb.sites[1].element.c_str();
    CHECK(has_atom(x, a, {0, 0, 0}));
    CHECK(has_atom(x, a, {.5, .5, 0}));
    CHECK(has_atom(x, b, {.25, .25, .25}));
    CHECK(has_atom(x, b, {.75, .75, .25}));
    CHECK_FALSE(has_atom(x, b, {.75, .75, .75}));

    // Lattice rules against measured cells (angstrom), with the tables' radii.
    auto rule = [](const char* name) { return family(name).lattice_rule; };
    CHECK(rule("rock-salt")({1.02, 1.81}) == doctest::Approx(5.640).epsilon(0.02));               // NaCl
    CHECK(rule("zinc-blende")({1.22, 1.19}) == doctest::Approx(5.653).epsilon(0.02));             // GaAs
    CHECK(rule("perovskite")({1.44, 0.605, 1.40}) == doctest::Approx(3.905).epsilon(0.03));        // SrTiO3
    CHECK(rule("fluorite")({1.12, 1.31}) == doctest::Approx(5.463).epsilon(0.03));                // CaF2
    CHECK(rule("CsCl")({1.74, 1.81}) == doctest::Approx(4.123).epsilon(0.02));                    // CsCl
    CHECK(rule("half-Heusler")({1.60, 1.24, 1.39}) == doctest::Approx(5.93).epsilon(0.03));       // TiNiSn
    CHECK(rule("Cu3Au")({1.44, 1.28}) == doctest::Approx(3.75).epsilon(0.03));                    // Cu3Au
    CHECK_THROWS_AS(prototype_family_named("wurtzite"), gan::invalid_argument);
    CHECK(std::string(prototype_family_named("ROCK-SALT").name) == "rock-salt");
}

TEST_CASE("prototypes: sampling is deterministic per (seed, index) and covers every family") {
    std::set<std::string> families, formulas;
    for (std::uint64_t i = 0; i < 300; ++i) {
        const auto s = sample_structure(42, i);
        const auto again = sample_structure(42, i);
        CHECK(s.formula == again.formula);
        CHECK(s.lattice_parameter == again.lattice_parameter);
        CHECK(s.sites.back().b_iso == again.sites.back().b_iso);
        families.insert(s.prototype);
        formulas.insert(s.formula);
    }
    CHECK(families.size() == prototype_families().size());
    CHECK(formulas.size() > 60);
    int differ = 0;
    for (std::uint64_t i = 0; i < 20; ++i) differ += sample_structure(42, i).sites[0].b_iso != sample_structure(43, i).sites[0].b_iso;
    CHECK(differ == 20);

    prototype_sampling only;
    only.families = {"perovskite", "CsCl"};
    for (std::uint64_t i = 0; i < 40; ++i) {
        const auto s = sample_structure(1, i, only);
        CHECK((s.prototype == "perovskite" || s.prototype == "CsCl"));
    }
    only.b_min = 2.0;
    only.b_max = 1.0;
    CHECK_THROWS_AS(sample_structure(1, 0, only), gan::invalid_argument);
}

TEST_CASE("prototypes: composition weighting makes every compound equally likely; family weighting every family") {
    std::size_t compounds = 0;
    for (const auto& f : prototype_families()) compounds += f.compositions();
    CHECK(prototype_family_named("half-Heusler").compositions() == 4 * 4 * 3);
    CHECK(prototype_family_named("zinc-blende").compositions() == 9 + 9 + 6 + 2);
    const std::size_t draws = 20000;
    std::map<std::string, std::size_t> by_family_c, by_family_f;
    prototype_sampling by_family;
    by_family.weighting = prototype_weighting::family;
    for (std::uint64_t i = 0; i < draws; ++i) {
        ++by_family_c[sample_structure(3, i).prototype];
        ++by_family_f[sample_structure(3, i, by_family).prototype];
    }
    for (const auto& f : prototype_families()) {
        const std::string name = f.name;
        CAPTURE(name);
        // Binomial counts: five standard deviations either side of the expectation.
        auto within = [&](std::size_t count, double p) {
            const double mean = p * draws, sd = std::sqrt(draws * p * (1.0 - p));
            return std::abs(static_cast<double>(count) - mean) < 5.0 * sd;
        };
        CHECK(within(by_family_c[name], static_cast<double>(f.compositions()) / static_cast<double>(compounds)));
        CHECK(within(by_family_f[name], 1.0 / static_cast<double>(prototype_families().size())));
    }
    // Within a family, variants follow their compound counts: zinc blende's IV-IV (SiC, SiGe) is 2 of 26.
    prototype_sampling zb;
    zb.families = {"zinc-blende"};
    std::size_t iv_iv = 0;
    for (std::uint64_t i = 0; i < 2600; ++i) iv_iv += std::string(sample_structure(4, i, zb).variant) == "IV-IV";
    CHECK(iv_iv > 200 - 5 * 13.6);
    CHECK(iv_iv < 200 + 5 * 13.6);
    CHECK(weighting_named("family") == prototype_weighting::family);
    CHECK_THROWS_AS(weighting_named("uniform"), gan::invalid_argument);
}

TEST_CASE("prototypes: |F(hkl)| has the cubic Laue symmetry m-3m") {
    // The 48 signed permutations of (h, k, l).
    const std::array<std::array<int, 3>, 6> perms = {{{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}}};
    for (const auto& f : prototype_families()) {
        const std::string name = f.name;
        CAPTURE(name);
        gan::Random rng(5);
        const crystal x = sample_prototype(f, rng).to_crystal();
        for (const Eigen::Vector3i& hkl : {Eigen::Vector3i(1, 1, 1), Eigen::Vector3i(2, 1, 0), Eigen::Vector3i(3, 1, 1),
                                          Eigen::Vector3i(4, 2, 0), Eigen::Vector3i(3, 2, 1)}) {
            const double reference = std::abs(structure_factor(x, hkl));
            for (const auto& p : perms)
                for (int signs = 0; signs < 8; ++signs) {
                    Eigen::Vector3i g;
                    for (int i = 0; i < 3; ++i) g[i] = hkl[p[static_cast<std::size_t>(i)]] * ((signs >> i) & 1 ? -1 : 1);
                    CHECK(std::abs(structure_factor(x, g)) == doctest::Approx(reference).epsilon(1e-12).scale(1.0));
                }
        }
    }
}

TEST_CASE("splits: disjoint by key, close to the fractions, deterministic") {
    std::vector<std::string> keys;
    for (std::uint64_t i = 0; i < 400; ++i) keys.push_back(sample_structure(9, i).chemistry_key());
    const auto a = assign_splits(keys, {0.8, 0.1, 0.1}, 9);
    CHECK(a == assign_splits(keys, {0.8, 0.1, 0.1}, 9));
    CHECK(a != assign_splits(keys, {0.8, 0.1, 0.1}, 10));
    std::map<std::string, std::set<split>> seen;
    std::array<int, 3> count{};
    std::size_t largest_group = 0;
    std::map<std::string, std::size_t> group_size;
    for (std::size_t i = 0; i < keys.size(); ++i) {
        seen[keys[i]].insert(a[i]);
        ++count[static_cast<std::size_t>(a[i])];
        largest_group = std::max(largest_group, ++group_size[keys[i]]);
    }
    for (const auto& [key, splits] : seen) CHECK_MESSAGE(splits.size() == 1, key);
    // Within one group of the target.
    CHECK(std::abs(count[0] - 320) <= static_cast<int>(largest_group));
    CHECK(std::abs(count[1] - 40) <= static_cast<int>(largest_group));
    CHECK(std::abs(count[2] - 40) <= static_cast<int>(largest_group));
    // The same formula is the same element set, so formulas never span splits either.
    std::map<std::string, std::set<split>> by_formula;
    for (std::size_t i = 0; i < keys.size(); ++i) by_formula[sample_structure(9, i).formula].insert(a[i]);
    for (const auto& [formula, splits] : by_formula) CHECK_MESSAGE(splits.size() == 1, formula);

    const auto no_test = assign_splits(keys, {0.9, 0.1, 0.0}, 9);
    CHECK(std::count(no_test.begin(), no_test.end(), split::test) == 0);
    CHECK_THROWS_AS(assign_splits(keys, {0.8, 0.1, 0.2}, 9), gan::invalid_argument);
    CHECK_THROWS_AS(assign_splits(keys, {1.1, -0.1, 0.0}, 9), gan::invalid_argument);
}

TEST_CASE("dataset: one tiny sample in the published geometry") {
    gan::Random rng(2);
    const auto s = sample_prototype(family("rock-salt"), rng);
    dataset_settings settings;
    settings.image_size = 8;
    settings.structure_fourier_terms = 16;
    const auto sample = generate_sample(s, settings);
    const double a = s.lattice_parameter;
    CHECK(sample.geometry.g_min == doctest::Approx(2.0 / a));  // (200) of an F lattice
    CHECK(sample.geometry.disc_radius == doctest::Approx(6.0 / a));
    CHECK(sample.geometry.pool_size == 69);
    CHECK(sample.symmetry_operations == 8);
    REQUIRE(sample.pattern.size() == 64);
    REQUIRE(sample.structure.size() == 64);
    // Inverse intensity: the brightest pixel is 0, the darkest 1.
    const auto bright = std::max_element(sample.intensity.begin(), sample.intensity.end()) - sample.intensity.begin();
    const auto dark = std::min_element(sample.intensity.begin(), sample.intensity.end()) - sample.intensity.begin();
    CHECK(sample.pattern[static_cast<std::size_t>(bright)] == 0.0);
    CHECK(sample.pattern[static_cast<std::size_t>(dark)] == 1.0);
    for (double v : sample.intensity) {
        CHECK(v > 0.0);
        CHECK(v < 1.0);  // absorption takes intensity away
    }
    // 4mm: the disc is symmetric under transposition and both mirrors.
    auto at = [&](int r, int c) { return sample.intensity[static_cast<std::size_t>(r * 8 + c)]; };
    for (int r = 0; r < 8; ++r)
        for (int c = 0; c < 8; ++c) {
            CHECK(at(r, c) == doctest::Approx(at(c, r)).epsilon(1e-12));
            CHECK(at(r, c) == doctest::Approx(at(7 - r, c)).epsilon(1e-12));
        }
    CHECK(*std::min_element(sample.structure.begin(), sample.structure.end()) == 0.0);
    CHECK(*std::max_element(sample.structure.begin(), sample.structure.end()) == 1.0);

    // The electron density is another image of the same cell.
    settings.structure = structure_kind::density;
    settings.absorption = {};
    const auto density = generate_sample(s, settings);
    double difference = 0;
    for (std::size_t i = 0; i < 64; ++i) difference = std::max(difference, std::abs(density.structure[i] - sample.structure[i]));
    CHECK(difference > 1e-3);
    for (double v : density.intensity) CHECK(v <= 1.0 + 1e-12);

    settings.thickness = 0;
    CHECK_THROWS_AS(generate_sample(s, settings), gan::invalid_argument);
    settings.thickness = 450;
    settings.image_size = 7;
    CHECK_THROWS_AS(generate_sample(s, settings), gan::invalid_argument);
}

#pragma once
// Training pairs for the structure <-> pattern GAN: a drawn cubic crystal (prototypes.hpp), its
// structure image and its (000) LACBED disc, in the published geometry by default (200 kV, [001]
// zone, x = [100], 450 angstrom, disc radius 3 |g_min(hk0)|, Bird-King absorption), plus
// structure-disjoint train/validation/test splits.
//
// Image conventions (docs/dataset.md):
//  * pattern: the published "inverse intensity": I min-max normalised to 0..1 over the disc and
//    inverted, so the brightest intensity is 0 (matplotlib's Greys, which the published PNGs
//    used). The raw intensities are kept alongside.
//  * structure: the projected potential (or the true projected electron density) over one cell,
//    min-max normalised to 0..1, not inverted, on a grid of the pattern's size
//    (structure_image.hpp: last row and column repeat the first).
//
// Geometry scales with the crystal: the disc radius and the beam cut-off are multiples of
// |g_min|, the smallest hk0 reflection the lattice centring allows, so every sample sees the same
// number of reflections across its disc and costs about the same.
#include <tbb/parallel_for.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "gan/core/error.hpp"
#include "gan/core/random.hpp"
#include "gan/physics/beams.hpp"
#include "gan/physics/lacbed.hpp"
#include "gan/physics/prototypes.hpp"
#include "gan/physics/structure_image.hpp"
#include "gan/version.hpp"

GAN_NAMESPACE_BEGIN
namespace physics {

enum class structure_kind { potential, density };

struct dataset_settings {
    double accelerating_voltage = 200.0;   // kV
    double thickness = 450.0;              // angstrom
    int image_size = 64;                   // 2N: the disc and the structure image are image_size^2
    double disc_radius_in_g_min = 3.0;     // the published geometry
    // Pool cut-off |g| <= g_max_in_g_min |g_min|, whole shells: 4.5 gives 69 beams for every cubic
    // [001] lattice (the allowed hk0 net is square), about 1.7 s of CPU per 64x64 Bird-King sample.
    // Against a 137-beam pool single pixels of the pattern are then off by 0.001 (SiC) to 0.2
    // (TiCoSb), fewer beams are markedly worse (0.25 for KMgF3 at 61 beams), and first-order
    // absorption would add 0.04, so the default is the exact solver at 4.5 (docs/dataset.md).
    double g_max_in_g_min = 4.5;
    absorption_settings absorption{absorption_model::bird_king, 0.0};
    structure_kind structure = structure_kind::potential;
    int structure_fourier_terms = 63;      // |h|, |k| <= this in the structure image
    prototype_sampling sampling{};
    std::uint64_t seed = 1;
};

inline void validate(const dataset_settings& s) {
    if (!(s.thickness > 0.0) || !std::isfinite(s.thickness))
        throw invalid_argument("thickness must be > 0 angstrom (the published data used 450)");
    if (!(s.accelerating_voltage > 0.0)) throw invalid_argument("accelerating voltage must be > 0 kV (e.g. 200)");
    if (s.image_size < 2 || s.image_size % 2 != 0)
        throw invalid_argument("image size must be an even number of pixels >= 2 (the disc is 2N x 2N), e.g. 64");
    if (!(s.disc_radius_in_g_min > 0.0)) throw invalid_argument("disc radius must be > 0 (in units of |g_min|, e.g. 3)");
    if (!(s.g_max_in_g_min >= 1.0))
        throw invalid_argument("the beam cut-off must be >= 1 |g_min| so that the pool holds diffracted beams, e.g. 4.5");
}

struct sample_geometry {
    double g_min = 0.0;        // 1/angstrom (1/d)
    double disc_radius = 0.0;  // 1/angstrom (1/d)
    double g_max = 0.0;        // 1/angstrom (1/d)
    int pool_size = 0;
};

// |g_min| of the [001] zone (x = [100]); for a cubic cell this is 1/a, sqrt 2 / a or 2/a for P, I
// and F lattices.
inline double smallest_zone_reflection(const crystal& xtal, const Eigen::Vector3i& zone, const Eigen::Vector3i& x) {
    const microscope_frame frame(xtal, zone, x);
    // Every lattice has a zone reflection within 2 sqrt 2 / a_max of the origin.
    const double a = std::max({xtal.lattice().a, xtal.lattice().b, xtal.lattice().c});
    const auto pool = zolz_beam_pool(xtal, frame, 3.0 / a);
    if (pool.size() < 2) throw invalid_argument("no reflection of zone " + miller_string(zone) + " found near the origin");
    return pool[1].g.norm() / two_pi;
}

inline sample_geometry geometry_for(const crystal& xtal, const dataset_settings& s) {
    validate(s);
    sample_geometry g;
    g.g_min = smallest_zone_reflection(xtal, {0, 0, 1}, {1, 0, 0});
    g.disc_radius = s.disc_radius_in_g_min * g.g_min;
    g.g_max = s.g_max_in_g_min * g.g_min;
    const microscope_frame frame(xtal, {0, 0, 1}, {1, 0, 0});
    g.pool_size = static_cast<int>(zolz_beam_pool(xtal, frame, g.g_max).size());
    return g;
}

inline lacbed_settings lacbed_settings_for(const sample_geometry& g, const dataset_settings& s) {
    lacbed_settings l;
    l.accelerating_voltage = s.accelerating_voltage;
    l.zone_axis = {0, 0, 1};
    l.x_direction = {1, 0, 0};
    l.thicknesses = {s.thickness};
    l.disc_radius = g.disc_radius;
    l.pixel_radius = s.image_size / 2;
    l.g_max = g.g_max;
    l.selection = beam_selection::fixed_pool;
    l.absorption = s.absorption;
    l.use_symmetry = true;
    return l;
}

// The published pattern convention: min-max to 0..1, inverted (brightest intensity -> 0).
inline std::vector<double> inverse_intensity(const std::vector<double>& intensity) {
    if (intensity.empty()) return {};
    const auto [lo, hi] = std::minmax_element(intensity.begin(), intensity.end());
    const double max = *hi, range = *hi - *lo;
    std::vector<double> out(intensity.size(), 0.0);
    if (range > 0)
        for (std::size_t i = 0; i < out.size(); ++i) out[i] = (max - intensity[i]) / range;
    return out;
}

// The network-side image of a crystal in the data's conventions: the projected potential (or
// electron density) over one cell at the dataset's size and Fourier cut-off, 0..1. Whatever feeds
// a trained model (an embedding code, one's own Felix runs) must make its inputs with this too.
inline std::vector<double> structure_image_for(const crystal& xtal, const dataset_settings& s) {
    structure_image_settings image;
    image.pixels = s.image_size;
    image.max_index = s.structure_fourier_terms;
    image.accelerating_voltage = s.accelerating_voltage;
    return (s.structure == structure_kind::potential ? projected_potential_image(xtal, image)
                                                     : projected_electron_density_image(xtal, image))
        .pixels;
}

struct dataset_sample {
    sample_geometry geometry;
    std::vector<double> structure;   // image_size^2, 0..1, row = y
    std::vector<double> pattern;     // image_size^2, inverse intensity 0..1, row = k_y
    std::vector<double> intensity;   // image_size^2, raw (000) intensity
    int symmetry_operations = 1;
};

inline dataset_sample generate_sample(const sampled_structure& structure, const dataset_settings& s) {
    validate(s);
    const crystal xtal = structure.to_crystal();
    dataset_sample out;
    out.geometry = geometry_for(xtal, s);
    const lacbed_result disc = simulate_lacbed(xtal, lacbed_settings_for(out.geometry, s));
    out.intensity = disc.bright_field(0).pixels;
    out.pattern = inverse_intensity(out.intensity);
    out.symmetry_operations = disc.symmetry_operations;
    out.structure = structure_image_for(xtal, s);
    return out;
}

// ---- splits --------------------------------------------------------------------------------

enum class split { train = 0, validation = 1, test = 2 };

inline const char* split_folder(split s) {
    switch (s) {
        case split::train: return "train";
        case split::validation: return "val";
        case split::test: return "test";
    }
    return "train";
}

inline std::array<double, 3> validate_split_fractions(std::array<double, 3> f) {
    double sum = 0.0;
    for (double x : f) {
        if (!(x >= 0.0)) throw invalid_argument("split fractions must be >= 0, e.g. 0.8,0.1,0.1");
        sum += x;
    }
    if (!(std::abs(sum - 1.0) < 1e-6))
        throw invalid_argument("split fractions must add up to 1 (train,val,test, e.g. 0.8,0.1,0.1), not " + std::to_string(sum));
    return f;
}

namespace detail {
inline std::uint64_t fnv1a(const std::string& text) {
    std::uint64_t h = 1469598103934665603ull;
    for (unsigned char c : text) h = (h ^ c) * 1099511628211ull;
    return h;
}
}  // namespace detail

// Groups samples by key (chemistry_key(): one formula, or one element set, never spans two
// splits), orders the groups by a seeded hash, and gives each group to the split furthest below
// its target count. The result depends only on the keys, the fractions and the seed, and each
// split's size is within one group of its target.
inline std::vector<split> assign_splits(const std::vector<std::string>& keys, std::array<double, 3> fractions,
                                        std::uint64_t seed) {
    fractions = validate_split_fractions(fractions);
    std::map<std::string, std::vector<std::size_t>> groups;
    for (std::size_t i = 0; i < keys.size(); ++i) groups[keys[i]].push_back(i);
    struct ordered {
        double rank;
        const std::string* key;
    };
    std::vector<ordered> order;
    for (const auto& [key, members] : groups)
        order.push_back({Random(seed ^ detail::fnv1a(key)).uniform(), &key});
    std::sort(order.begin(), order.end(), [](const ordered& a, const ordered& b) {
        return a.rank != b.rank ? a.rank < b.rank : *a.key < *b.key;
    });
    std::array<double, 3> deficit{};
    for (int s = 0; s < 3; ++s) deficit[static_cast<std::size_t>(s)] = fractions[static_cast<std::size_t>(s)] * static_cast<double>(keys.size());
    std::vector<split> out(keys.size(), split::train);
    for (const auto& g : order) {
        const auto best = static_cast<std::size_t>(std::max_element(deficit.begin(), deficit.end()) - deficit.begin());
        const auto& members = groups.at(*g.key);
        for (std::size_t i : members) out[i] = static_cast<split>(best);
        deficit[best] -= static_cast<double>(members.size());
    }
    return out;
}

}  // namespace physics
GAN_NAMESPACE_END

#pragma once
// Crystals from CIF files, through gemmi (Debian's gemmi-dev, which needs tao-pegtl-dev and
// libstb-dev). gemmi's CIF grammar is slow to compile, so this is the only gan header that includes
// it; include it only in code that reads CIFs.
//
// Follows Felix's reading of felix.cif (read_cif_mod.f90): B from _atom_site_B_iso_or_equiv or
// 8 pi^2 U_iso, occupancy from _atom_site_occupancy, and the _cell_volume value, when present,
// instead of the volume computed from the cell. Sites are expanded with the CIF's own symmetry
// operations when it lists them (so an origin choice is never guessed), otherwise with the
// operations of its Hermann-Mauguin symbol.
// Debian's gemmi prints a #warning about using the system stb_sprintf; CIF reading never formats
// numbers with it, so the warning is harmless (GCC 12 cannot silence #warning).
#include <gemmi/cif.hpp>
#include <gemmi/smcif.hpp>
#include <gemmi/symmetry.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "gan/core/error.hpp"
#include "gan/physics/crystal.hpp"
#include "gan/physics/felix_input.hpp"
#include "gan/physics/scattering_factors.hpp"
#include "gan/version.hpp"

GAN_NAMESPACE_BEGIN
namespace physics {

struct cif_options {
    bool use_cif_volume = true;        // Felix's behaviour
    double default_b_iso = 0.0;        // for sites without a usable B (Felix: RDebyeWallerConstant)
};

namespace detail {

inline std::vector<gemmi::Op> cif_symmetry_operations(gemmi::cif::Block& block, const gemmi::SmallStructure& small) {
    std::vector<gemmi::Op> ops;
    for (const char* tag : {"_space_group_symop_operation_xyz", "_symmetry_equiv_pos_as_xyz"}) {
        const gemmi::cif::Column column = block.find_values(tag);
        if (!column) continue;
        for (const std::string& item : column) ops.push_back(gemmi::parse_triplet(gemmi::cif::as_string(item)));
        if (!ops.empty()) return ops;
    }
    const gemmi::SpaceGroup* group = small.find_spacegroup();
    if (!group)
        throw invalid_argument("the CIF has neither symmetry operations nor a space group gemmi recognises ('" +
                               small.spacegroup_hm + "'); add _space_group_symop_operation_xyz");
    for (const gemmi::Op& op : group->operations()) ops.push_back(op);
    return ops;
}

inline crystal crystal_from_cif_block(gemmi::cif::Block& block, const cif_options& options) {
    const gemmi::SmallStructure small = gemmi::make_small_structure_from_block(block);
    const auto& cell = small.cell;
    if (!(cell.a > 0 && cell.b > 0 && cell.c > 0))
        throw invalid_argument("CIF block '" + block.name + "' has no _cell_length_a/b/c; a crystal needs its cell");
    if (small.sites.empty()) throw invalid_argument("CIF block '" + block.name + "' lists no _atom_site_ loop");
    const auto ops = cif_symmetry_operations(block, small);

    std::vector<atom_site> atoms;
    for (const auto& site : small.sites) {
        const std::string symbol = site.type_symbol.empty() ? site.label : site.type_symbol;
        const int z = atomic_number(symbol);
        double b = site.u_iso * 8.0 * pi * pi;
        // Felix's rule: a missing or implausible B falls back to the default.
        if (!(b > 0.0) || b > 10.0) b = options.default_b_iso;
        const std::size_t first = atoms.size();
        for (const auto& op : ops) {
            const auto xyz = op.apply_to_xyz({site.fract.x, site.fract.y, site.fract.z});
            Eigen::Vector3d f(xyz[0], xyz[1], xyz[2]);
            for (int i = 0; i < 3; ++i) f[i] -= std::floor(f[i]);
            bool duplicate = false;
            for (std::size_t j = first; j < atoms.size() && !duplicate; ++j) {
                Eigen::Vector3d d = atoms[j].fractional - f;
                for (int i = 0; i < 3; ++i) d[i] -= std::round(d[i]);
                // 1e-3 of a cell absorbs rounded CIF coordinates such as 0.3333.
                duplicate = d.norm() < 1e-3;
            }
            if (!duplicate) atoms.push_back({z, f, site.occ, b});
        }
    }
    crystal xtal({cell.a, cell.b, cell.c, cell.alpha, cell.beta, cell.gamma}, std::move(atoms), block.name);
    if (options.use_cif_volume)
        if (const std::string* volume = block.find_value("_cell_volume"))
            if (!gemmi::cif::is_null(*volume)) xtal.set_volume_override(gemmi::cif::as_number(*volume));
    return xtal;
}

}  // namespace detail

// The first data block of a CIF given as text.
inline crystal crystal_from_cif_text(const std::string& text, const cif_options& options = {}) {
    gemmi::cif::Document doc;
    try {
        doc = gemmi::cif::read_string(text);
    } catch (const std::exception& e) {
        throw io_error(std::string("malformed CIF: ") + e.what() + "; check the quoting and loop_ structure");
    }
    if (doc.blocks.empty()) throw io_error("the CIF has no data_ block");
    return detail::crystal_from_cif_block(doc.blocks.front(), options);
}

inline crystal read_cif(const std::string& path, const cif_options& options = {}) {
    gemmi::cif::Document doc;
    try {
        doc = gemmi::cif::read_file(path);
    } catch (const std::exception& e) {
        throw io_error("cannot read CIF '" + path + "': " + e.what());
    }
    if (doc.blocks.empty()) throw io_error("CIF '" + path + "' has no data_ block");
    return detail::crystal_from_cif_block(doc.blocks.front(), options);
}

// A Felix case: felix.inp plus felix.cif, read the way Felix reads them (RDebyeWallerConstant is
// the B of sites without a usable one; the CIF's _cell_volume is used).
struct felix_case {
    crystal xtal;
    lacbed_settings settings;
};

inline felix_case read_felix_case(const std::string& inp_path, const std::string& cif_path) {
    felix_input input = read_felix_inp(inp_path);
    cif_options options;
    options.default_b_iso = input.default_debye_waller;
    return {read_cif(cif_path, options), std::move(input.settings)};
}

}  // namespace physics
GAN_NAMESPACE_END

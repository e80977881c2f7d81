// lacbed simulate: one (000) LACBED disc stack from a CIF, set up either by flags or by Felix's
// own felix.inp. The only translation unit that includes the CIF reader (gemmi is slow to compile).
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include <gan/io/felix_bin.hpp>
#include <gan/io/npy.hpp>
#include <gan/io/png.hpp>
#include <gan/physics/dataset.hpp>
#include <gan/physics/felix_input.hpp>

#include "arguments.hpp"
#include "cif_support.hpp"
#include "commands.hpp"
#include "physics_options.hpp"

namespace lacbed {

namespace {

namespace fs = std::filesystem;
namespace ph = gan::physics;

const char* const summary =
    "Simulates the (000) LACBED disc of one crystal read from a CIF, at one or more thicknesses.\n"
    "Either the geometry comes from flags (defaults: the published geometry, disc radius 3 |g_min|)\n"
    "or from Felix's input: 'lacbed simulate --felix-inp felix.inp --cif felix.cif --output disc.npy'.\n"
    "Writes OUTPUT (.npy, float64, one 2N x 2N image per thickness, row = k_y), a PNG per thickness\n"
    "(intensity min-max scaled, not inverted) and, with --bin, Felix-style raw float64 .bin files.";

Eigen::Vector3i index_triple(const Arguments& args, const std::string& name) {
    const auto v = number_list(args, name);
    if (v.size() != 3) throw usage_error("--" + name + " takes three integers like 0,0,1");
    Eigen::Vector3i out;
    for (int i = 0; i < 3; ++i) {
        out[i] = static_cast<int>(v[static_cast<std::size_t>(i)]);
        if (out[i] != v[static_cast<std::size_t>(i)]) throw usage_error("--" + name + " takes whole numbers like 0,0,1");
    }
    return out;
}

std::string thickness_label(double t) {
    char text[32];
    std::snprintf(text, sizeof text, "%gA", t);
    return text;
}

}  // namespace

#ifndef LACBED_HAS_CIF
int simulate_command(const std::vector<std::string>&) {
    require_cif_support();
    return 1;
}
#else
int simulate_command(const std::vector<std::string>& raw) {
    Arguments args("simulate", summary);
    args.option("cif", "crystal structure (CIF); sites are expanded with its symmetry operations", "", true)
        .option("output", "the .npy to write (thicknesses, 2N, 2N)", "", true)
        .option("felix-inp", "take the geometry, beams, absorption and thicknesses from Felix's felix.inp", "")
        .option("thickness", "thicknesses in angstrom, comma-separated", "450")
        .option("size", "image side in pixels, even (2N)", "64")
        .option("voltage", "accelerating voltage, kV", "200")
        .option("zone", "zone axis [uvw], real space", "0,0,1")
        .option("x-direction", "image x axis [hkl], reciprocal space, perpendicular to the zone", "1,0,0")
        .option("disc-radius", "disc radius in 1/angstrom (default 3 |g_min| of the zone)", "")
        .option("g-max", "beam-pool cut-off in 1/angstrom, whole shells (default 4.5 |g_min|)", "");
    add_absorption_options(args);
    args.option("b-iso", "B_iso (angstrom^2) for CIF sites without a usable one", "0")
        .flag("bin", "also write Felix-style .bin files, one per thickness")
        .flag("no-png", "skip the PNG images");
    if (!args.parse(raw, std::cout)) return 0;

    const fs::path output = args.get("output");
    if (output.extension() != ".npy") throw usage_error("--output must name a .npy file, e.g. disc.npy");
    if (!fs::is_regular_file(args.get("cif")))
        throw gan::io_error("CIF '" + args.get("cif") + "' does not exist; check the path");

    ph::lacbed_settings settings;
    ph::cif_options cif;
    cif.use_cif_volume = true;
    if (args.has("felix-inp")) {
        for (const char* flag : {"thickness", "size", "voltage", "zone", "x-direction", "disc-radius", "g-max", "absorption",
                                 "absorption-fraction", "perturbative-absorption", "b-iso"})
            if (args.has(flag))
                throw usage_error(std::string("--") + flag + " cannot be combined with --felix-inp; felix.inp sets it");
        const ph::felix_input input = ph::read_felix_inp(args.get("felix-inp"));
        settings = input.settings;
        cif.default_b_iso = input.default_debye_waller;
    } else {
        cif.default_b_iso = args.number("b-iso");
        if (!(cif.default_b_iso >= 0.0)) throw usage_error("--b-iso must be >= 0 angstrom^2");
    }
    const ph::crystal xtal = ph::read_cif(args.get("cif"), cif);
    if (!args.has("felix-inp")) {
        settings.thicknesses = number_list(args, "thickness");
        if (settings.thicknesses.empty()) throw usage_error("--thickness needs at least one value in angstrom");
        const auto size = args.integer("size", 2);
        if (size % 2 != 0) throw usage_error("--size must be even (the disc is 2N x 2N pixels)");
        settings.pixel_radius = static_cast<int>(size / 2);
        settings.accelerating_voltage = args.number("voltage");
        settings.zone_axis = index_triple(args, "zone");
        settings.x_direction = index_triple(args, "x-direction");
        settings.absorption = absorption_from(args);
        ph::require_valid_orientation(settings.zone_axis, settings.x_direction);
        const double g_min = ph::smallest_zone_reflection(xtal, settings.zone_axis, settings.x_direction);
        settings.disc_radius = args.has("disc-radius") ? args.number("disc-radius") : 3.0 * g_min;
        settings.g_max = args.has("g-max") ? args.number("g-max") : 4.5 * g_min;
        if (!(settings.g_max > 0.0)) throw usage_error("--g-max must be > 0 1/angstrom");
    }

    const auto start = std::chrono::steady_clock::now();
    const ph::lacbed_result result = ph::simulate_lacbed(xtal, settings);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    const auto side = static_cast<std::size_t>(result.bright_field().size);
    std::vector<double> stack;
    for (const auto& image : result.discs[0]) stack.insert(stack.end(), image.pixels.begin(), image.pixels.end());
    if (output.has_parent_path()) fs::create_directories(output.parent_path());
    gan::io::write_npy(output, stack.data(), {result.thicknesses.size(), side, side});
    const fs::path stem = output.parent_path() / output.stem();
    for (std::size_t t = 0; t < result.thicknesses.size(); ++t) {
        const auto& image = result.discs[0][t];
        const std::string suffix = "_" + thickness_label(result.thicknesses[t]);
        if (!args.flag_set("no-png")) {
            const auto [lo, hi] = std::minmax_element(image.pixels.begin(), image.pixels.end());
            gan::io::write_png(fs::path(stem.string() + suffix + ".png"), image.pixels.data(), side, side, 16, *lo,
                               *hi > *lo ? *hi : *lo + 1.0);
        }
        if (args.flag_set("bin")) gan::io::write_felix_bin(fs::path(stem.string() + suffix + ".bin"), image.pixels.data(), side);
    }
    std::printf("%s: %zu atoms in the cell, %d beams (%.1f per pixel), %d-fold mirroring, %zu thickness(es), %.2f s -> %s\n",
                xtal.name().c_str(), xtal.atoms().size(), result.pool_size, result.mean_beams_per_pixel,
                result.symmetry_operations, result.thicknesses.size(), seconds, output.string().c_str());
    return 0;
}
#endif

}  // namespace lacbed

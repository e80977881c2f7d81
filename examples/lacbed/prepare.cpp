// lacbed prepare: training pairs from one's own Felix runs. Each run folder holds the crystal
// (its .cif) and Felix's output below it; the (000) disc `<Formula>_+0+0+0.bin` becomes the
// pattern (the published convention: min-max, inverted) and the CIF becomes the structure image
// of the same size, so `lacbed train` reads the result directly. Tutorial: docs/tutorial-felix.md.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include <gan/io/felix_bin.hpp>
#include <gan/io/npy.hpp>
#include <gan/core/progress.hpp>
#include <gan/physics/dataset.hpp>
#include <gan/physics/felix_input.hpp>

#include "arguments.hpp"
#include "cif_support.hpp"
#include "commands.hpp"

namespace lacbed {

namespace {

namespace fs = std::filesystem;
namespace ph = gan::physics;

const char* const summary =
    "Turns a folder of Felix runs into training pairs. RUNS holds one folder per crystal with its\n"
    "CIF (felix.cif), optionally felix.inp, and Felix's output below it; the (000) disc\n"
    "'<Formula>_+0+0+0.bin' is min-max normalised and inverted (brightest = 0, the published\n"
    "convention) into OUTPUT/pattern/<run>.npy and the CIF's projected potential (or electron\n"
    "density) over one cell, at the disc's size, into OUTPUT/structure/<run>.npy. Zone [001] only:\n"
    "the structure images are projections along c.";

std::vector<fs::path> files_in(const fs::path& folder, bool recursive, auto&& keep) {
    std::vector<fs::path> out;
    auto visit = [&](const fs::directory_entry& e) {
        if (e.is_regular_file() && keep(e.path())) out.push_back(e.path());
    };
    if (recursive)
        for (const auto& e : fs::recursive_directory_iterator(folder)) visit(e);
    else
        for (const auto& e : fs::directory_iterator(folder)) visit(e);
    std::sort(out.begin(), out.end());
    return out;
}

// Felix names its output folder <Formula>_Sim_<tttt>A_<2N>x<2N>, tttt the thickness in angstrom.
fs::path zero_disc_of(const fs::path& run, const std::string& thickness) {
    auto discs = files_in(run, true, [](const fs::path& p) {
        const std::string name = p.filename().string();
        return name.size() > 11 && name.ends_with("_+0+0+0.bin");
    });
    if (!thickness.empty()) {
        char tag[32];
        std::snprintf(tag, sizeof tag, "_Sim_%04dA_", std::stoi(thickness));
        std::erase_if(discs, [&](const fs::path& p) { return p.parent_path().filename().string().find(tag) == std::string::npos; });
    }
    if (discs.empty())
        throw gan::io_error("'" + run.string() + "' holds no Felix (000) disc '*_+0+0+0.bin'" +
                            (thickness.empty() ? "" : " in a '*_Sim_" + thickness + "A_*' folder") +
                            "; run Felix there first, or remove the folder from RUNS");
    if (discs.size() > 1)
        throw gan::io_error("'" + run.string() + "' holds " + std::to_string(discs.size()) +
                            " (000) discs (one per thickness?); choose one with --thickness, e.g. --thickness 450");
    return discs.front();
}

}  // namespace

int prepare_command(const std::vector<std::string>& raw) {
    Arguments args("prepare", summary);
    args.option("runs", "folder of Felix run folders, one per crystal", "", true)
        .option("output", "folder for structure/ and pattern/", "", true)
        .option("structure", "potential (projected potential, the published 'EDD') or density (projected electron density)",
                "potential")
        .option("thickness", "pick the output of this thickness (angstrom) where a run holds several", "")
        .option("b-iso", "B_iso (angstrom^2) for CIF sites without one, where no felix.inp says", "0");
    if (!args.parse(raw, std::cout)) return 0;
    require_cif_support();
#ifdef LACBED_HAS_CIF
    const std::string structure = args.get("structure");
    if (structure != "potential" && structure != "density")
        throw usage_error("--structure is potential or density, not '" + structure + "'");
    const fs::path runs_root = args.get("runs"), output = args.get("output");
    if (!fs::is_directory(runs_root)) throw gan::io_error("'" + runs_root.string() + "' is not a folder of Felix runs");
    std::vector<fs::path> runs;
    for (const auto& e : fs::directory_iterator(runs_root))
        if (e.is_directory()) runs.push_back(e.path());
    std::sort(runs.begin(), runs.end());
    if (runs.empty()) throw gan::io_error("'" + runs_root.string() + "' holds no run folders (one per crystal)");

    fs::create_directories(output / "structure");
    fs::create_directories(output / "pattern");
    gan::Progress progress("runs", runs.size());
    std::size_t side = 0;
    for (const auto& run : runs) {
        const auto cifs = files_in(run, false, [](const fs::path& p) { return p.extension() == ".cif"; });
        if (cifs.size() != 1)
            throw gan::io_error("'" + run.string() + "' holds " + std::to_string(cifs.size()) +
                                " .cif files; each run folder needs exactly one (Felix's felix.cif)");
        ph::cif_options cif;
        cif.default_b_iso = args.number("b-iso");
        if (const fs::path inp = run / "felix.inp"; fs::exists(inp)) {
            const auto felix = ph::read_felix_inp(inp.string());
            if (felix.settings.zone_axis != Eigen::Vector3i(0, 0, 1) || felix.settings.x_direction != Eigen::Vector3i(1, 0, 0))
                throw gan::io_error("'" + inp.string() + "' looks down " + ph::miller_string(felix.settings.zone_axis) +
                                    " with x along " + ph::miller_string(felix.settings.x_direction) +
                                    "; structure images are [001] projections with x along [100], so only such runs can be used");
            cif.default_b_iso = felix.default_debye_waller;
        }
        const ph::crystal xtal = ph::read_cif(cifs.front().string(), cif);
        const fs::path disc_file = zero_disc_of(run, args.get("thickness"));
        const auto disc = gan::io::read_felix_bin<double>(disc_file);
        const std::size_t n = disc.shape().height;
        if (side != 0 && n != side)
            throw gan::shape_error("'" + disc_file.string() + "' is " + std::to_string(n) + "x" + std::to_string(n) +
                                   " but earlier runs were " + std::to_string(side) + "x" + std::to_string(side) +
                                   "; one training set needs one image size");
        side = n;
        const auto pattern = ph::inverse_intensity(std::vector<double>(disc.data(), disc.data() + n * n));

        ph::dataset_settings conventions;  // the training data's, at the disc's size
        conventions.image_size = int(n);
        conventions.structure = structure == "potential" ? ph::structure_kind::potential : ph::structure_kind::density;
        const auto projection = ph::structure_image_for(xtal, conventions);
        const std::string name = run.filename().string() + ".npy";
        const std::vector<float> structure_f(projection.begin(), projection.end());
        const std::vector<float> pattern_f(pattern.begin(), pattern.end());
        gan::io::write_npy(output / "structure" / name, structure_f.data(), {n, n});
        gan::io::write_npy(output / "pattern" / name, pattern_f.data(), {n, n});
        progress.advance(1, run.filename().string());
    }
    progress.finish();
    std::printf("wrote %zu pairs of %zux%zu images into %s/{structure,pattern}/; train with\n"
                "  lacbed train --inputs %s/structure --targets %s/pattern --output RUN --config unet<depth>-<ngf>-%zu\n",
                runs.size(), side, side, output.string().c_str(), output.string().c_str(), output.string().c_str(), side);
    return 0;
#else
    return 1;
#endif
}

}  // namespace lacbed

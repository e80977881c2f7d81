// lacbed dataset: training pairs (structure image, (000) LACBED disc) for drawn cubic crystals,
// written so that `lacbed train --inputs DIR/train/structure --targets DIR/train/pattern` reads
// them directly. Layout and conventions: docs/dataset.md.
#include <tbb/blocked_range.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include <gan/core/progress.hpp>
#include <gan/io/atomic_file.hpp>
#include <gan/io/npy.hpp>
#include <gan/io/png.hpp>
#include <gan/physics/dataset.hpp>

#include "arguments.hpp"
#include "commands.hpp"
#include "physics_options.hpp"

namespace lacbed {

namespace {

namespace fs = std::filesystem;
namespace ph = gan::physics;

const char* const summary =
    "Draws --count cubic crystals from prototype families (rock salt, zinc blende, diamond,\n"
    "half-Heusler, CsCl, fluorite, antifluorite, perovskite, Cu3Au) and writes each one's structure\n"
    "image and (000) LACBED disc, in the published geometry by default: [001] zone, x = [100],\n"
    "disc radius 3 |g_min(hk0)|. Writes OUTPUT/{train,val,test}/{structure,pattern,intensity}/<id>.npy,\n"
    "PNG previews and OUTPUT/manifest.json. Splits never share a formula or an element set.\n"
    "Rerunning the same command resumes: finished samples are kept, not recomputed.";

std::string sample_id(std::size_t index, const ph::sampled_structure& s) {
    char prefix[32];
    std::snprintf(prefix, sizeof prefix, "%06zu_", index);
    return prefix + s.formula;
}

nlohmann::json structure_json(const ph::sampled_structure& s, const ph::sample_geometry& g) {
    nlohmann::json sites = nlohmann::json::array();
    for (const auto& site : s.sites) {
        nlohmann::json positions = nlohmann::json::array();
        for (const auto& p : site.positions) positions.push_back({p[0], p[1], p[2]});
        sites.push_back({{"wyckoff", site.wyckoff}, {"element", site.element}, {"radius", site.radius},
                         {"b_iso", site.b_iso}, {"positions", positions}});
    }
    return {{"formula", s.formula},
            {"prototype", s.prototype},
            {"variant", s.variant},
            {"space_group", s.space_group},
            {"space_group_number", s.space_group_number},
            {"lattice_parameter", s.lattice_parameter},
            {"g_min", g.g_min},
            {"disc_radius", g.disc_radius},
            {"g_max", g.g_max},
            {"pool_size", g.pool_size},
            {"sites", sites}};
}

// A sample is done when all three arrays parse and have the image's shape; anything else
// (missing, truncated by a crash outside the atomic rename, another size) is recomputed.
bool sample_complete(const fs::path& root, const std::string& split, const std::string& id, std::size_t size) {
    for (const char* kind : {"structure", "pattern", "intensity"}) {
        const fs::path file = root / split / kind / (id + ".npy");
        std::error_code ec;
        if (!fs::is_regular_file(file, ec)) return false;
        try {
            const auto array = gan::io::read_npy_array(file);
            if (array.shape != std::vector<std::size_t>{size, size}) return false;
        } catch (const gan::error&) {
            return false;
        }
    }
    return true;
}

// Temporaries of a run that was killed before its rename; they never hold finished data.
void remove_stale_temporaries(const fs::path& folder) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(folder, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.size() > 1 && name[0] == '.' && name.find(".tmp.") != std::string::npos) fs::remove(entry.path(), ec);
    }
}

std::string first_difference(const nlohmann::json& old_parameters, const nlohmann::json& parameters) {
    for (const auto& [key, value] : parameters.items())
        if (!old_parameters.contains(key) || old_parameters[key] != value)
            return "--" + key + " is " + (old_parameters.contains(key) ? old_parameters[key].dump() : "absent") +
                   " there and " + value.dump() + " here";
    return "the manifest's parameters differ";
}

}  // namespace

int dataset_command(const std::vector<std::string>& raw) {
    Arguments args("dataset", summary);
    args.option("output", "folder to write; rerunning with the same flags resumes", "", true)
        .option("count", "number of samples (structures)", "", true)
        .option("seed", "seed of every random draw; the same seed gives the same dataset anywhere", "1")
        .option("size", "image side in pixels, even (the disc is 2N x 2N)", "64")
        .option("thickness", "specimen thickness, angstrom", "450")
        .option("voltage", "accelerating voltage, kV", "200");
    add_absorption_options(args);
    args.option("disc-radius", "disc radius in units of |g_min(hk0)|", "3")
        .option("g-max", "beam-pool cut-off in units of |g_min(hk0)|, whole shells", "4.5")
        .option("structure", "structure image: potential (projected potential, the published 'EDD') or density "
                             "(projected electron density)", "potential")
        .option("split", "train,val,test fractions; one formula or element set never spans two", "0.8,0.1,0.1")
        .option("families", "comma-separated prototype families to draw from (default all): rock-salt, zinc-blende, "
                            "diamond, half-Heusler, CsCl, fluorite, antifluorite, perovskite, Cu3Au", "")
        .option("sampling", "composition (every compound equally likely) or family (every family equally likely, "
                            "the rule of datasets made before it was an option)", "composition")
        .option("b-range", "range of the Debye-Waller B_iso drawn per site, angstrom^2", "0.2,1.5")
        .option("previews", "samples (the first ones) that also get PNG previews", "8")
        .option("threads", "worker threads, 0 for every core; the output does not depend on it", "0");
    if (!args.parse(raw, std::cout)) return 0;

    ph::dataset_settings s;
    s.seed = static_cast<std::uint64_t>(args.integer("seed"));
    s.image_size = static_cast<int>(args.integer("size", 2));
    s.thickness = args.number("thickness");
    s.accelerating_voltage = args.number("voltage");
    s.absorption = absorption_from(args);
    s.disc_radius_in_g_min = args.number("disc-radius");
    s.g_max_in_g_min = args.number("g-max");
    const std::string structure = args.get("structure");
    if (structure == "potential") s.structure = ph::structure_kind::potential;
    else if (structure == "density") s.structure = ph::structure_kind::density;
    else throw usage_error("--structure must be potential or density, not '" + structure + "'");
    const auto fractions = number_list(args, "split");
    if (fractions.size() != 3) throw usage_error("--split takes three fractions train,val,test, e.g. 0.8,0.1,0.1");
    const auto b_range = number_list(args, "b-range");
    if (b_range.size() != 2) throw usage_error("--b-range takes two values min,max in angstrom^2, e.g. 0.2,1.5");
    s.sampling.b_min = b_range[0];
    s.sampling.b_max = b_range[1];
    for (const auto& name : word_list(args.get("families"))) s.sampling.families.push_back(ph::prototype_family_named(name).name);
    const std::string sampling = args.get("sampling");
    if (sampling != "composition" && sampling != "family")
        throw usage_error("--sampling must be composition (every compound equally likely) or family (every family "
                          "equally likely), not '" + sampling + "'");
    s.sampling.weighting = ph::weighting_named(sampling);
    ph::validate(s);
    const auto count = static_cast<std::size_t>(args.integer("count", 1));
    const auto previews = static_cast<std::size_t>(args.integer("previews"));
    const auto threads = static_cast<int>(args.integer("threads"));
    const fs::path root = args.get("output");

    // Everything random is drawn up front from (seed, index), so the splits and the manifest are
    // known before any simulation and a resumed run sees exactly the same samples.
    std::vector<ph::sampled_structure> structures;
    std::vector<std::string> keys, ids;
    for (std::size_t i = 0; i < count; ++i) {
        structures.push_back(ph::sample_structure(s.seed, i, s.sampling));
        keys.push_back(structures.back().chemistry_key());
        ids.push_back(sample_id(i, structures.back()));
    }
    const auto splits = ph::assign_splits(keys, {fractions[0], fractions[1], fractions[2]}, s.seed);

    nlohmann::json parameters = {
        {"count", count},
        {"seed", s.seed},
        {"size", s.image_size},
        {"thickness", s.thickness},
        {"voltage", s.accelerating_voltage},
        {"absorption", args.get("absorption")},
        {"absorption-fraction", s.absorption.fraction},
        {"perturbative-absorption", s.absorption.perturbative},
        {"disc-radius", s.disc_radius_in_g_min},
        {"g-max", s.g_max_in_g_min},
        {"structure", structure},
        {"split", fractions},
        {"families", s.sampling.families},
        {"sampling", ph::weighting_name(s.sampling.weighting)},
        {"b-range", b_range},
    };
    nlohmann::json samples = nlohmann::json::array();
    std::array<std::size_t, 3> per_split{};
    for (std::size_t i = 0; i < count; ++i) {
        const auto geometry = ph::geometry_for(structures[i].to_crystal(), s);
        auto entry = structure_json(structures[i], geometry);
        entry["id"] = ids[i];
        entry["split"] = ph::split_folder(splits[i]);
        samples.push_back(std::move(entry));
        ++per_split[static_cast<std::size_t>(splits[i])];
    }
    const nlohmann::json manifest = {
        {"format", "gan lacbed dataset 1"},
        {"parameters", parameters},
        {"geometry", {{"zone_axis", {0, 0, 1}}, {"x_direction", {1, 0, 0}}, {"units", "disc-radius and g-max in |g_min(hk0)|; "
                                                                                        "g_min, disc_radius, g_max in 1/angstrom (1/d)"}}},
        {"conventions",
         {{"pattern", "(000) intensity min-max normalised to 0..1 and inverted (brightest = 0), float32, row = k_y"},
          {"intensity", "raw (000) intensity, float64, row = k_y"},
          {"structure", structure == "potential" ? "projected potential over one cell, min-max 0..1, float32, row = y"
                                                 : "projected electron density over one cell, min-max 0..1, float32, row = y"}}},
        {"samples", samples},
    };

    const fs::path manifest_path = root / "manifest.json";
    if (fs::exists(manifest_path)) {
        nlohmann::json old;
        try {
            old = nlohmann::json::parse(gan::io::read_file_bytes(manifest_path));
        } catch (const nlohmann::json::exception&) {
            throw gan::io_error("'" + manifest_path.string() + "' is not valid JSON; remove it or choose another --output");
        }
        // Datasets from before --sampling existed drew every family equally.
        if (old.contains("parameters") && old["parameters"].is_object() && !old["parameters"].contains("sampling"))
            old["parameters"]["sampling"] = ph::weighting_name(ph::prototype_weighting::family);
        if (old.value("parameters", nlohmann::json()) != parameters)
            throw gan::invalid_argument("'" + root.string() + "' holds a dataset made with other flags (" +
                                        first_difference(old.value("parameters", nlohmann::json::object()), parameters) +
                                        "); rerun with its flags to resume, or choose another --output");
    } else if (fs::exists(root) && !fs::is_directory(root)) {
        throw gan::io_error("'" + root.string() + "' exists and is not a folder; choose another --output");
    }
    for (const char* split : {"train", "val", "test"})
        for (const char* kind : {"structure", "pattern", "intensity"}) {
            fs::create_directories(root / split / kind);
            remove_stale_temporaries(root / split / kind);
        }
    if (previews > 0) fs::create_directories(root / "previews");
    const std::string manifest_text = manifest.dump(1);
    gan::io::write_atomically(manifest_path, [&](std::ostream& out) { out << manifest_text << '\n'; });

    std::vector<std::size_t> pending;
    const auto side = static_cast<std::size_t>(s.image_size);
    for (std::size_t i = 0; i < count; ++i)
        if (!sample_complete(root, ph::split_folder(splits[i]), ids[i], side) ||
            (i < previews && !fs::exists(root / "previews" / (ids[i] + "_pattern.png"))))
            pending.push_back(i);
    std::cout << "lacbed dataset: " << count << " samples (train " << per_split[0] << ", val " << per_split[1] << ", test "
              << per_split[2] << "), " << count - pending.size() << " already done, computing " << pending.size() << "\n"
              << std::flush;

    std::optional<tbb::global_control> limit;
    if (threads > 0) limit.emplace(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
    const auto start = std::chrono::steady_clock::now();
    gan::Progress progress("samples", pending.size());
    // Samples run side by side and each disc's pixels in parallel too; every sample writes only
    // its own files, so the result does not depend on the schedule.
    tbb::parallel_for(
        tbb::blocked_range<std::size_t>(0, pending.size(), 1),
        [&](const tbb::blocked_range<std::size_t>& range) {
            for (std::size_t p = range.begin(); p != range.end(); ++p) {
                const std::size_t i = pending[p];
                const auto sample = ph::generate_sample(structures[i], s);
                const fs::path folder = root / ph::split_folder(splits[i]);
                const std::string file = ids[i] + ".npy";
                const std::vector<float> structure_f(sample.structure.begin(), sample.structure.end());
                const std::vector<float> pattern_f(sample.pattern.begin(), sample.pattern.end());
                gan::io::write_npy(folder / "intensity" / file, sample.intensity.data(), {side, side});
                gan::io::write_npy(folder / "structure" / file, structure_f.data(), {side, side});
                if (i < previews) {
                    gan::io::write_png(root / "previews" / (ids[i] + "_structure.png"), sample.structure.data(), side, side, 8);
                    gan::io::write_png(root / "previews" / (ids[i] + "_pattern.png"), sample.pattern.data(), side, side, 8);
                }
                // Written last: a sample with its pattern on disk is complete.
                gan::io::write_npy(folder / "pattern" / file, pattern_f.data(), {side, side});
                progress.advance(1, structures[i].formula);
            }
        },
        tbb::simple_partitioner());
    progress.finish();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("computed %zu samples in %.1f s (%.2f s each, wall clock); wrote %s\n", pending.size(), seconds,
                pending.empty() ? 0.0 : seconds / static_cast<double>(pending.size()), root.string().c_str());
    return 0;
}

}  // namespace lacbed

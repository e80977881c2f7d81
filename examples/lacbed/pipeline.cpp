// lacbed pipeline: dataset -> train -> evaluate in one results folder, the job `scripts/run` runs,
// and at full size the published experiment (scripts/reproduce): both directions, several seeds,
// summarised. Each stage is the subcommand of the same name with derived flags, so everything the
// stages promise holds here too: the dataset resumes sample by sample, training resumes
// bit-identically from its checkpoint, and nothing finished is recomputed when the same command
// runs again.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include <gan/io/atomic_file.hpp>
#include <gan/train/metrics.hpp>

#include "arguments.hpp"
#include "commands.hpp"
#include "configurations.hpp"
#include "physics_options.hpp"

namespace lacbed {

namespace {

namespace fs = std::filesystem;

const char* const summary =
    "Simulates --count cubic crystals (structure image and (000) LACBED disc, split train/val/test\n"
    "by chemistry), trains a U-Net + PatchGAN per direction and seed on the training split, and\n"
    "scores each on the held-out test split beside a mean-image baseline. Writes\n"
    "  OUTPUT/dataset-<size>-<count>-seed<D>/                  the simulated pairs (docs/dataset.md)\n"
    "  OUTPUT/<config>-<count>-data<D>/<direction>-seed<S>/    generator.safetensors, losses.png,\n"
    "                                                          metrics.json, predictions.png\n"
    "  OUTPUT/<config>-<count>-data<D>/summary.{json,md}       every run, the mean over seeds, per family\n"
    "Ctrl-C keeps what is written; the same command again resumes.";

struct Stage {
    const char* title;
    const char* command;
    int (*run)(const std::vector<std::string>&);
    std::vector<std::string> args;
};

int run_stage(const Stage& stage, const std::string& label) {
    std::cout << "\n== " << label << stage.title << ": lacbed " << stage.command;
    for (const auto& a : stage.args) std::cout << ' ' << a;
    std::cout << '\n' << std::flush;
    const int status = stage.run(stage.args);
    if (status == 130) std::cerr << "lacbed pipeline: stopped; run the same command again to resume\n";
    return status;
}

nlohmann::json read_json(const fs::path& file) { return nlohmann::json::parse(gan::io::read_file_bytes(file)); }

double mse(const nlohmann::json& metrics, const char* side, const char* statistic) {
    return metrics.at(side).at("mse").at(statistic).get<double>();
}

// Per direction: each seed's test scores, their mean and spread over seeds, and the median over
// every test image of every seed (the published mean was dominated by a few bad cases).
// Every run's metrics.json, read once for both summaries; keyed by run folder name.
using RunMetrics = std::map<std::string, nlohmann::json>;

std::string run_name(const std::string& direction, const std::string& seed) { return direction + "-seed" + seed; }

RunMetrics read_run_metrics(const fs::path& runs, const std::vector<std::string>& directions,
                            const std::vector<std::string>& seeds) {
    RunMetrics metrics;
    for (const auto& direction : directions)
        for (const auto& seed : seeds)
            metrics[run_name(direction, seed)] = read_json(runs / run_name(direction, seed) / "metrics.json");
    return metrics;
}

nlohmann::json summarise(const RunMetrics& metrics, const std::vector<std::string>& directions,
                         const std::vector<std::string>& seeds, std::string& table) {
    nlohmann::json out = nlohmann::json::object();
    std::ostringstream md;
    md << "| direction | seed | test images | MSE mean | MSE median | baseline MSE mean | baseline / model | SSIM mean |\n"
       << "|---|---|---|---|---|---|---|---|\n";
    char line[256];
    for (const auto& direction : directions) {
        std::vector<double> means, baselines, every_image;
        nlohmann::json per_seed = nlohmann::json::array();
        for (const auto& seed : seeds) {
            const auto& m = metrics.at(run_name(direction, seed));
            means.push_back(mse(m, "model_scores", "mean"));
            baselines.push_back(mse(m, "baseline_scores", "mean"));
            for (const auto& image : m.at("images")) every_image.push_back(image.at("mse").get<double>());
            per_seed.push_back({{"seed", seed}, {"mse_mean", means.back()}, {"mse_median", mse(m, "model_scores", "median")},
                                {"baseline_mse_mean", baselines.back()}, {"ssim_mean", m["model_scores"]["ssim"]["mean"]}});
            std::snprintf(line, sizeof line, "| %s | %s | %d | %.4f | %.4f | %.4f | %.1fx | %.3f |\n", direction.c_str(),
                          seed.c_str(), m.at("count").get<int>(), means.back(), mse(m, "model_scores", "median"),
                          baselines.back(), baselines.back() / means.back(), m["model_scores"]["ssim"]["mean"].get<double>());
            md << line;
        }
        const auto over_seeds = gan::metrics::summarize(means), pooled = gan::metrics::summarize(every_image);
        const double baseline = gan::metrics::summarize(baselines).mean;
        out[direction] = {{"runs", per_seed},
                          {"mse_mean_over_seeds", over_seeds.mean},
                          {"mse_mean_stddev_over_seeds", over_seeds.stddev},
                          {"mse_mean_min", over_seeds.min},
                          {"mse_mean_max", over_seeds.max},
                          {"mse_median_all_images", pooled.median},
                          {"mse_p90_all_images", pooled.p90},
                          {"baseline_mse_mean", baseline},
                          {"baseline_over_model", baseline / over_seeds.mean}};
        std::snprintf(line, sizeof line, "| **%s** | mean of %zu | | **%.4f** ± %.4f | %.4f (all images) | %.4f | %.1fx | |\n",
                      direction.c_str(), means.size(), over_seeds.mean, over_seeds.stddev, pooled.median, baseline,
                      baseline / over_seeds.mean);
        md << line;
    }
    table = md.str();
    return out;
}

// Per prototype family, every seed's test images pooled: which families the mean comes from
// (a structure-disjoint test split holds only a few compounds of each).
nlohmann::json summarise_families(const fs::path& data, const fs::path& runs, const RunMetrics& metrics,
                                  const std::vector<std::string>& directions, const std::vector<std::string>& seeds,
                                  std::string& table) {
    struct Family {
        std::string space_group;
        std::set<std::string> formulas;
        std::vector<double> mse, baseline;
    };
    std::map<std::string, const nlohmann::json*> by_id;
    const auto manifest = read_json(data / "manifest.json");
    for (const auto& sample : manifest.at("samples")) by_id[sample.at("id").get<std::string>()] = &sample;
    nlohmann::json out = nlohmann::json::object();
    std::ostringstream md;
    char line[512];
    for (const auto& direction : directions) {
        std::map<std::string, Family> families;
        for (const auto& seed : seeds) {
            const fs::path file = runs / run_name(direction, seed) / "metrics.json";  // for the message
            for (const auto& image : metrics.at(run_name(direction, seed)).at("images")) {
                const auto name = image.at("name").get<std::string>();
                const auto found = by_id.find(name);
                if (found == by_id.end())
                    throw std::runtime_error(file.string() + " scores image '" + name + "', which " +
                                             (data / "manifest.json").string() +
                                             " does not list; evaluate that run again on this dataset's test split");
                const auto& sample = *found->second;
                auto& f = families[sample.at("prototype").get<std::string>()];
                f.space_group = sample.at("space_group").get<std::string>();
                f.formulas.insert(sample.at("formula").get<std::string>());
                f.mse.push_back(image.at("mse").get<double>());
                f.baseline.push_back(image.at("baseline_mse").get<double>());
            }
        }
        md << "\n" << direction << ", per family (all seeds' test images):\n\n"
           << "| family | space group | test formulas | images (x seeds) | MSE mean | MSE median | baseline MSE mean |\n"
           << "|---|---|---|---|---|---|---|\n";
        for (const auto& [name, f] : families) {
            std::string formulas;
            for (const auto& x : f.formulas) formulas += (formulas.empty() ? "" : ", ") + x;
            const auto model = gan::metrics::summarize(f.mse), baseline = gan::metrics::summarize(f.baseline);
            std::snprintf(line, sizeof line, "| %s | %s | %s | %zu | %.4f | %.4f | %.4f |\n", name.c_str(),
                          f.space_group.c_str(), formulas.c_str(), f.mse.size(), model.mean, model.median, baseline.mean);
            md << line;
            out[direction][name] = {{"space_group", f.space_group}, {"formulas", f.formulas},  {"images", f.mse.size()},
                                    {"mse_mean", model.mean},         {"mse_median", model.median},
                                    {"baseline_mse_mean", baseline.mean}};
        }
    }
    table = md.str();
    return out;
}

}  // namespace

int pipeline_command(const std::vector<std::string>& raw) {
    Arguments args("pipeline", summary);
    args.option("output", "results folder", "results")
        .option("count", "number of crystals to simulate", "300")
        .option("size", "image side in pixels; must match --config", "64")
        .option("config", "model configuration: " + configuration_names(), default_configuration)
        .option("direction", "structure-to-pattern, pattern-to-structure or both", "structure-to-pattern")
        .option("epochs", "epochs at the full learning rate", "50")
        .option("decay-epochs", "epochs of linear decay to zero", "50")
        .option("seeds", "training seeds (weights, dropout, data order), comma-separated", "1")
        .option("data-seed", "seed of the simulated crystals and their split", "1")
        .option("sampling", "how crystals are drawn: composition or family (lacbed dataset --help)", "composition")
        .option("grid-rows", "test images in predictions.png", "8");
    if (!args.parse(raw, std::cout)) return 0;

    const std::string direction = args.get("direction");
    std::vector<std::string> directions = {direction};
    if (direction == "both") directions = {"structure-to-pattern", "pattern-to-structure"};
    else if (direction != "structure-to-pattern" && direction != "pattern-to-structure")
        throw usage_error("--direction is structure-to-pattern, pattern-to-structure or both, not '" + direction + "'");
    const auto seeds = word_list(args.get("seeds"));
    if (seeds.empty()) throw usage_error("--seeds needs at least one seed, e.g. 1,2,3");
    const std::string config = args.get("config"), size = args.get("size"), count = args.get("count");
    with_configuration(config, [&](auto c) {
        if (std::to_string(decltype(c)::size) != size)
            throw usage_error(config + " takes " + std::to_string(decltype(c)::size) + "x" +
                              std::to_string(decltype(c)::size) + " images, not --size " + size);
    });

    // The dataset depends only on its own flags, so configurations and seeds share it; a run's
    // folder names its dataset, so a checkpoint is never resumed on other data.
    const fs::path root = args.get("output");
    const fs::path data = root / ("dataset-" + size + "-" + count + "-seed" + args.get("data-seed"));
    const fs::path runs = root / (config + "-" + count + "-data" + args.get("data-seed"));
    // A run folder resumes only the training it started: other epochs (or another configuration
    // of the same name) would silently change the schedule of a checkpoint half way.
    const nlohmann::json training = {{"config", config}, {"epochs", args.get("epochs")}, {"decay-epochs", args.get("decay-epochs")}};
    for (const auto& dir : directions)
        for (const auto& seed : seeds)
            if (const fs::path record = runs / run_name(dir, seed) / "pipeline.json"; fs::exists(record))
                if (const auto earlier = read_json(record); earlier != training)
                    throw usage_error("'" + record.parent_path().string() + "' was trained with " + earlier.dump() +
                                      ", not " + training.dump() + "; pass those flags to resume it, or another --output");

    const auto start = std::chrono::steady_clock::now();
    const std::size_t total = 1 + 2 * directions.size() * seeds.size();
    std::size_t number = 0;
    auto label = [&] { return std::to_string(++number) + "/" + std::to_string(total) + " "; };

    if (const int s = run_stage({"dataset", "dataset", dataset_command,
                                 {"--output", data.string(), "--count", count, "--size", size, "--seed", args.get("data-seed"),
                                  "--sampling", args.get("sampling")}},
                                label());
        s != 0)
        return s;
    for (const auto& dir : directions) {
        const std::string from = dir == "structure-to-pattern" ? "structure" : "pattern";
        const std::string to = dir == "structure-to-pattern" ? "pattern" : "structure";
        for (const auto& seed : seeds) {
            const fs::path run = runs / run_name(dir, seed);
            std::vector<std::string> train = {"--inputs", (data / "train" / from).string(), "--targets",
                                              (data / "train" / to).string(), "--output", run.string(), "--config", config,
                                              "--epochs", args.get("epochs"), "--decay-epochs", args.get("decay-epochs"),
                                              "--seed", seed};
            if (fs::exists(run / "checkpoint.safetensors")) train.push_back("--resume");
            fs::create_directories(run);
            const std::string record = training.dump() + "\n";
            gan::io::write_atomically(run / "pipeline.json", [&](std::ostream& o) { o << record; });
            if (const int s = run_stage({"training", "train", train_command, train}, label()); s != 0) return s;
            const Stage evaluate = {"evaluation", "evaluate", evaluate_command,
                                    {"--model", (run / "generator.safetensors").string(), "--inputs",
                                     (data / "test" / from).string(), "--targets", (data / "test" / to).string(),
                                     "--train-targets", (data / "train" / to).string(), "--output",
                                     (run / "metrics.json").string(), "--grid", (run / "predictions.png").string(),
                                     "--grid-rows", args.get("grid-rows")}};
            if (const int s = run_stage(evaluate, label()); s != 0) return s;
        }
    }

    std::string table, family_table;
    const RunMetrics metrics = read_run_metrics(runs, directions, seeds);
    nlohmann::json report = summarise(metrics, directions, seeds, table);
    report["per_family"] = summarise_families(data, runs, metrics, directions, seeds, family_table);
    const double minutes = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / 60;
    report["dataset"] = data.string();
    report["configuration"] = config;
    report["epochs"] = args.get("epochs") + "+" + args.get("decay-epochs") + " (full lr + decay)";
    const std::string json_text = report.dump(2) + "\n";
    gan::io::write_atomically(runs / "summary.json", [&](std::ostream& o) { o << json_text; });
    gan::io::write_atomically(runs / "summary.md", [&](std::ostream& o) { o << table << family_table; });
    std::printf("\nlacbed pipeline: done in %.1f min (this invocation). Test-split MSE against the mean-image baseline:\n\n%s\n"
                "Results: %s/ (summary.md, summary.json; per run metrics.json, predictions.png, losses.png,\n"
                "generator.safetensors). Dataset with PNG previews and manifest.json: %s/\n",
                minutes, table.c_str(), runs.string().c_str(), data.string().c_str());
    return 0;
}

}  // namespace lacbed

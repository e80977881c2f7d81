// lacbed evaluate: a trained generator scored against targets, beside a mean-image baseline.
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include <gan/core/progress.hpp>
#include <gan/io/figures.hpp>
#include <gan/train/metrics.hpp>

#include "arguments.hpp"
#include "commands.hpp"
#include "inference.hpp"
#include "precision.hpp"

namespace lacbed {

namespace {

nlohmann::json summary_json(const std::vector<double>& values) {
    const auto s = gan::metrics::summarize(values);
    return {{"mean", s.mean}, {"median", s.median}, {"stddev", s.stddev}, {"min", s.min}, {"max", s.max}, {"p90", s.p90}};
}

template <class Config>
int evaluate_with(const Arguments& args) {
    using G = typename Config::generator;
    const auto pairs = pair_images(args.get("inputs"), args.get("targets"));
    std::vector<gan::DynamicTensor<float>> inputs, targets;
    for (const auto& [a, b] : pairs) {
        inputs.push_back(read_image(a));
        targets.push_back(read_image(b));
        if (targets.back().size() != std::size_t(G::height * G::width))
            throw gan::shape_error("'" + b.string() + "' does not have the model's image size");
    }
    // The baseline predicts one image for every input: the mean of the training targets when
    // given, otherwise the mean of the *other* test targets (leave-one-out, so it never sees
    // the image it is scored on).
    const std::size_t pixels = std::size_t(G::height * G::width);
    std::vector<double> train_mean(pixels, 0.0), test_sum(pixels, 0.0);
    const bool have_train = args.has("train-targets");
    if (have_train) {
        const auto files = list_images(args.get("train-targets"));
        for (const auto& f : files) {
            const auto t = read_image(f);
            if (t.size() != pixels) throw gan::shape_error("'" + f.string() + "' does not have the model's image size");
            for (std::size_t i = 0; i < pixels; ++i) train_mean[i] += t.data()[i] / double(files.size());
        }
    } else if (pairs.size() < 2) {
        throw usage_error("a leave-one-out baseline needs two or more test pairs; give --train-targets");
    }
    for (const auto& t : targets)
        for (std::size_t i = 0; i < pixels; ++i) test_sum[i] += t.data()[i];

    if (args.flag_set("bf16")) report_bfloat16_products("evaluate");
    Predictor<G> predict(args.get("model"), args.flag_set("eval"), std::uint64_t(args.integer("seed")),
                         args.flag_set("bf16"));
    nlohmann::json per_image = nlohmann::json::array();
    std::vector<double> mse, psnr, ssim, pearson, base_mse, base_psnr, base_ssim, base_pearson;
    gan::Progress bar("evaluating", pairs.size());
    std::vector<double> baseline(pixels);
    std::vector<gan::io::GridRow> grid;
    const auto grid_rows = std::size_t(args.integer("grid-rows", 1));
    for (std::size_t k = 0; k < pairs.size(); ++k) {
        const auto prediction = predict(inputs[k], pairs[k].first, false);
        const std::span<const float> target(targets[k].data(), pixels);
        const auto s = gan::metrics::score(std::span<const float>(prediction), target, G::height, G::width);
        for (std::size_t i = 0; i < pixels; ++i)
            baseline[i] = have_train ? train_mean[i] : (test_sum[i] - target[i]) / double(pairs.size() - 1);
        const auto b = gan::metrics::score(std::span<const double>(baseline), target, G::height, G::width);
        mse.push_back(s.mse), psnr.push_back(s.psnr), ssim.push_back(s.ssim), pearson.push_back(s.pearson);
        base_mse.push_back(b.mse), base_psnr.push_back(b.psnr), base_ssim.push_back(b.ssim), base_pearson.push_back(b.pearson);
        per_image.push_back({{"name", pairs[k].first.stem().string()}, {"mse", s.mse}, {"psnr", s.psnr}, {"ssim", s.ssim},
                             {"pearson", s.pearson}, {"baseline_mse", b.mse}});
        if (grid.size() < grid_rows)
            grid.push_back({pairs[k].first.stem().string(), std::vector<float>(inputs[k].data(), inputs[k].data() + pixels),
                            prediction, std::vector<float>(target.begin(), target.end())});
        bar.advance();
    }
    bar.finish();
    const nlohmann::json report = {
        {"model", args.get("model")},
        {"configuration", Config::name()},
        {"protocol", args.flag_set("eval") ? "eval: running statistics, no dropout"
                                           : "reference test protocol: batch statistics, dropout on"},
        {"count", pairs.size()},
        {"baseline", have_train ? "mean of --train-targets" : "leave-one-out mean of the test targets"},
        {"model_scores", {{"mse", summary_json(mse)}, {"psnr", summary_json(psnr)}, {"ssim", summary_json(ssim)},
                          {"pearson", summary_json(pearson)}}},
        {"baseline_scores", {{"mse", summary_json(base_mse)}, {"psnr", summary_json(base_psnr)},
                             {"ssim", summary_json(base_ssim)}, {"pearson", summary_json(base_pearson)}}},
        {"images", per_image}};
    if (args.has("output")) {
        const std::string text = report.dump(2) + "\n";
        gan::io::write_atomically(args.get("output"), [&](std::ostream& out) { out << text; });
    }
    if (args.has("grid")) gan::io::write_png(args.get("grid"), gan::io::prediction_grid(grid, G::height, G::width));
    const auto m = gan::metrics::summarize(mse), bm = gan::metrics::summarize(base_mse);
    std::printf("MSE  model mean %.5f median %.5f | baseline mean %.5f median %.5f | %.1fx better (mean)\n", m.mean,
                m.median, bm.mean, bm.median, m.mean > 0 ? bm.mean / m.mean : 0.0);
    std::printf("SSIM model mean %.4f | baseline %.4f;  Pearson model mean %.4f | baseline %.4f\n",
                gan::metrics::summarize(ssim).mean, gan::metrics::summarize(base_ssim).mean,
                gan::metrics::summarize(pearson).mean, gan::metrics::summarize(base_pearson).mean);
    return 0;
}

}  // namespace

int evaluate_command(const std::vector<std::string>& raw) {
    Arguments args("evaluate",
                   "Scores a trained generator on pairs (files of the same name in --inputs and --targets):\n"
                   "MSE, PSNR, SSIM and Pearson correlation per image and summarised (mean, median, spread),\n"
                   "beside a baseline that predicts a mean image, so the numbers show what the model learned.");
    args.option("model", "generator.safetensors or checkpoint.safetensors", "", true)
        .option("inputs", "folder of input images", "", true)
        .option("targets", "folder of target images", "", true)
        .option("train-targets", "folder of training targets for the mean-image baseline")
        .option("output", "write the scores as JSON to this file")
        .option("grid", "write a PNG of input | prediction | target | error for the first images")
        .option("grid-rows", "how many images the grid shows", "6")
        .option("seed", "seed of the dropout masks", "0")
        .flag("eval", "running statistics, no dropout")
        .flag("bf16", "convolutions on bfloat16 operands (lower precision; fast on CPUs with AMX)");
    if (!args.parse(raw, std::cout)) return 0;
    int status = 0;
    const auto file = gan::io::read_safetensors(args.get("model"));
    with_configuration(configuration_of(file), [&](auto config) { status = evaluate_with<decltype(config)>(args); });
    return status;
}

}  // namespace lacbed

// lacbed predict: a trained generator on one image or a folder of images.
#include <iostream>

#include <gan/core/progress.hpp>

#include "arguments.hpp"
#include "commands.hpp"
#include "inference.hpp"
#include "precision.hpp"

namespace lacbed {

namespace {

template <class Config>
int predict_with(const Arguments& args) {
    using G = typename Config::generator;
    const fs::path input = args.get("input"), output = args.get("output");
    const bool raw = args.flag_set("raw");
    std::vector<std::pair<fs::path, fs::path>> jobs;
    if (fs::is_directory(input)) {
        const std::string format = args.get("format");
        if (format != "npy" && format != "png" && format != "bin")
            throw usage_error("--format is npy, png or bin, not '" + format + "'");
        for (const auto& file : list_images(input)) jobs.emplace_back(file, output / (file.stem().string() + "." + format));
    } else {
        if (!fs::exists(input)) throw gan::io_error("'" + input.string() + "' does not exist");
        if (fs::is_directory(output)) throw usage_error("--output names a folder; for one input give a file name");
        jobs.emplace_back(input, output);
    }
    // Read and check every input before writing anything, so a bad file leaves the output untouched.
    std::vector<gan::DynamicTensor<float>> images;
    for (const auto& [in, out] : jobs) images.push_back(read_image(in));
    if (args.flag_set("bf16")) report_bfloat16_products("predict");
    Predictor<G> predict(args.get("model"), args.flag_set("eval"), std::uint64_t(args.integer("seed")),
                         args.flag_set("bf16"));
    if (fs::is_directory(input)) fs::create_directories(output);

    gan::Progress bar("predicting", jobs.size());
    for (std::size_t i = 0; i < jobs.size(); ++i) {
        const auto prediction = predict(images[i], jobs[i].first, raw);
        write_image(jobs[i].second, prediction.data(), G::height, G::width);
        bar.advance();
    }
    bar.finish();
    std::cerr << "lacbed predict: " << jobs.size() << " prediction" << (jobs.size() == 1 ? "" : "s") << " written to "
              << output.string() << "\n";
    return 0;
}

}  // namespace

int predict_command(const std::vector<std::string>& raw) {
    Arguments args("predict",
                   "Runs a trained generator on an image file or on every image of a folder (.npy, .png, .bin;\n"
                   "values 0..1). A folder's predictions go into the --output folder under the same names.\n"
                   "By default BatchNorm uses each image's own statistics and dropout stays on, the\n"
                   "reference's test protocol; --eval uses the running statistics without dropout.");
    args.option("model", "generator.safetensors or checkpoint.safetensors", "", true)
        .option("input", "an image file or a folder of images", "", true)
        .option("output", "the output file, or folder for a folder of inputs", "", true)
        .option("format", "output type for a folder: npy, png or bin", "npy")
        .option("seed", "seed of the dropout masks", "0")
        .flag("eval", "running statistics, no dropout")
        .flag("bf16", "convolutions on bfloat16 operands (lower precision; fast on CPUs with AMX)")
        .flag("raw", "input already in [-1, 1]; output left in [-1, 1]");
    if (!args.parse(raw, std::cout)) return 0;
    int status = 0;
    const auto file = gan::io::read_safetensors(args.get("model"));
    with_configuration(configuration_of(file), [&](auto config) { status = predict_with<decltype(config)>(args); });
    return status;
}

}  // namespace lacbed

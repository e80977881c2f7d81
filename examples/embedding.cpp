// gan inside a simulation code: what a Felix-adjacent tool does to ask a trained model for a
// crystal's (000) LACBED disc instead of (or before) solving the Bloch-wave problem.
//
//   gan_embedding MODEL [--out comparison.png]
//
// MODEL is a generator trained in the structure -> pattern direction by `scripts/run` (or
// `lacbed train --config unet6-16-64-d16`), e.g.
// results/unet6-16-64-d16-300-data1/structure-to-pattern-seed1/generator.safetensors.
// The program builds GaAs in memory (as a host code holds its crystal), makes its projected-
// potential image, predicts the disc, simulates the same disc with the built-in Bloch-wave
// solver, and prints both times and the difference.
#include <gan/io/figures.hpp>
#include <gan/io/png.hpp>
#include <gan/models/unet.hpp>
#include <gan/physics/dataset.hpp>
#include <gan/train/checkpoint.hpp>
#include <gan/train/metrics.hpp>
#include <gan/train/paired_images.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <exception>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace ph = gan::physics;

// The model's type is part of the host program, as a matrix size would be: the file must hold
// this configuration (load_generator refuses any other, naming both).
using Generator = gan::UNet<6, 16, 1, 1, gan::BatchNorm, gan::cpu, float, 64>;

namespace {

template <class F>
double seconds_of(F&& f) {
    const auto start = std::chrono::steady_clock::now();
    f();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Zinc-blende GaAs (F-43m, a = 5.6533 angstrom), written out site by site: Ga on 4a, As on 4c.
ph::crystal gallium_arsenide() {
    std::vector<ph::atom_site> atoms;
    for (const auto& f : {std::array{0.0, 0.0, 0.0}, {0.0, 0.5, 0.5}, {0.5, 0.0, 0.5}, {0.5, 0.5, 0.0}}) {
        atoms.push_back(ph::make_atom("Ga", f[0], f[1], f[2], 0.6));
        atoms.push_back(ph::make_atom("As", f[0] + 0.25, f[1] + 0.25, f[2] + 0.25, 0.6));
    }
    return ph::cubic_crystal(5.6533, std::move(atoms), "GaAs");
}

}  // namespace

int main(int argc, char** argv) try {
    if (argc < 2 || std::string(argv[1]) == "--help") {
        std::fprintf(stderr, "usage: gan_embedding MODEL [--out comparison.png]\n"
                             "MODEL: a UNet<6, 16> 64x64 generator trained structure -> pattern (scripts/run writes one)\n");
        return 2;
    }
    const std::string model_file = argv[1];
    const std::string figure = argc > 3 && std::string(argv[2]) == "--out" ? argv[3] : "comparison.png";

    // Once, when the host code starts: the trained generator and a per-thread inference context.
    auto generator = std::make_unique<Generator>();
    gan::load_generator(model_file, *generator);
    Generator::InferenceContext context(/*dropout seed=*/0);
    const auto protocol = gan::InferenceOptions::reference_test_protocol();

    // The same conventions as the training data: published geometry, 64x64, projected potential.
    ph::dataset_settings settings;
    settings.image_size = Generator::height;
    const ph::crystal xtal = gallium_arsenide();

    // Per crystal, two steps: the structure image (physics: 127 x 127 Fourier coefficients of the
    // projected potential), then the network.
    Generator::input_type x(1);
    Generator::output_type y;
    std::vector<float> structure, predicted;
    auto make_structure_image = [&] {
        const auto potential = ph::structure_image_for(xtal, settings);
        structure.assign(potential.begin(), potential.end());
    };
    auto predict = [&] {
        for (std::size_t i = 0; i < structure.size(); ++i) x[i] = gan::to_network_range(structure[i]);
        std::as_const(*generator).forward(x, y, context, protocol);
        predicted.resize(y.size());
        for (std::size_t i = 0; i < y.size(); ++i) predicted[i] = gan::from_network_range(y[i]);
    };
    // The first calls also touch their buffers; a host code predicting many crystals pays the
    // steady-state time, the median of the later calls.
    auto median_of_21 = [](auto&& f) {
        std::vector<double> times;
        for (int i = 0; i < 21; ++i) times.push_back(seconds_of(f));
        std::nth_element(times.begin(), times.begin() + 10, times.end());
        return times[10];
    };
    const double first_s = seconds_of(make_structure_image) + seconds_of(predict);
    const double image_s = median_of_21(make_structure_image), network_s = median_of_21(predict);
    const double predict_s = image_s + network_s;

    // The same disc from the Bloch-wave solver, as the host code would otherwise compute it.
    std::vector<float> simulated;
    int beams = 0;
    const double simulate_s = seconds_of([&] {
        const auto geometry = ph::geometry_for(xtal, settings);
        beams = geometry.pool_size;
        const auto disc = ph::simulate_lacbed(xtal, ph::lacbed_settings_for(geometry, settings));
        const auto pattern = ph::inverse_intensity(disc.bright_field(0).pixels);
        simulated.assign(pattern.begin(), pattern.end());
    });

    const auto score = gan::metrics::score(std::span<const float>(predicted), std::span<const float>(simulated),
                                           Generator::height, Generator::width);
    std::printf("GaAs [001], %dx%d (000) disc, %d beams\n", Generator::height, Generator::width, beams);
    std::printf("  simulated (Bloch waves):  %9.3f ms\n", simulate_s * 1e3);
    std::printf("  predicted (gan):          %9.3f ms = structure image %.3f ms + %s %.3f ms\n"
                "                            (medians of 21; the first call %.3f ms), %.3f %% of the simulation\n",
                predict_s * 1e3, image_s * 1e3, Generator::description().c_str(), network_s * 1e3, first_s * 1e3,
                100.0 * predict_s / simulate_s);
    std::printf("  prediction vs simulation: MSE %.5f, SSIM %.3f, Pearson %.3f\n", score.mse, score.ssim, score.pearson);
    gan::io::write_png(figure, gan::io::prediction_grid({{"GaAs", structure, predicted, simulated}}, Generator::height,
                                                        Generator::width));
    std::printf("  structure | prediction | simulation | error: %s\n", figure.c_str());
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "gan_embedding: %s\n", e.what());
    return 1;
}

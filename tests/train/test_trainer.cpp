#include <doctest/doctest.h>

#include <gan/train/trainer.hpp>

#include <cmath>
#include <filesystem>

#include "small_pix2pix.hpp"

namespace fs = std::filesystem;

using G = gan_test::SmallG;
using Model = gan_test::SmallPix2Pix;
using gan_test::Scratch;

namespace {

gan::PairedImages<G> make_data(std::size_t n) {
    gan::PairedImages<G> data;
    data.inputs.resize(n);
    data.targets.resize(n);
    gan::Random rng(12);
    gan::fill_uniform(data.inputs, -1, 1, rng);
    // A learnable relation: the target is a smoothed, shifted copy of the input.
    for (std::size_t s = 0; s < n; ++s)
        for (int h = 0; h < 32; ++h)
            for (int w = 0; w < 32; ++w) data.targets(s, 0, h, w) = 0.5f * data.inputs(s, 0, h, (w + 1) % 32);
    return data;
}

std::vector<float> generator_weights(Model& m) {
    std::vector<float> all;
    m.generator().visit_parameters(
        [&](const std::string&, auto& p) { all.insert(all.end(), p.value().data(), p.value().data() + p.size()); });
    return all;
}

std::size_t count_lines(const fs::path& p) {
    std::ifstream in(p);
    std::size_t n = 0;
    std::string line;
    while (std::getline(in, line)) ++n;
    return n;
}

}  // namespace

TEST_CASE("fit runs the schedule, logs every iteration and writes checkpoint, curves and model") {
    Scratch scratch("trainer");
    const auto data = make_data(5);
    gan::TrainerOptions options;
    options.n_epochs = 2;
    options.n_epochs_decay = 1;
    options.batch_size = 2;  // 3 iterations per epoch, the last with one pair
    options.output_dir = scratch.dir / "run";
    options.show_progress = false;
    Model model({.seed = 4});
    const auto result = gan::fit(model, data, options);
    CHECK(result.completed);
    CHECK(result.progress.iterations == 9);
    CHECK(count_lines(options.output_dir / "losses.csv") == 1 + 9);
    CHECK(fs::exists(options.output_dir / "losses.png"));
    CHECK(fs::exists(options.output_dir / "generator.safetensors"));
    CHECK(fs::exists(options.output_dir / "checkpoint.safetensors"));
    // Linear decay: epochs 1 and 2 at the full rate, epoch 3 at lr · (1 − 1/2).
    const auto rows = gan::detail::read_loss_rows(options.output_dir / "losses.csv");
    CHECK(rows.front().lr == doctest::Approx(2e-4).scale(0));
    CHECK(rows.back().lr == doctest::Approx(1e-4).scale(0));
    CHECK(rows.back().epoch == 3);
}

TEST_CASE("stopping and resuming gives the weights of an uninterrupted run") {
    Scratch scratch("trainer");
    const auto data = make_data(5);
    gan::TrainerOptions options;
    options.n_epochs = 1;
    options.n_epochs_decay = 1;
    options.batch_size = 2;
    options.show_progress = false;
    options.output_dir = scratch.dir / "straight";
    Model straight({.seed = 9});
    gan::fit(straight, data, options);

    options.output_dir = scratch.dir / "interrupted";
    int polls = 0;
    options.stop_requested = [&] { return ++polls == 4; };  // stop mid-epoch 2
    {
        Model first({.seed = 9});
        const auto stopped = gan::fit(first, data, options);
        CHECK_FALSE(stopped.completed);
        CHECK(stopped.progress.iterations == 4);
        CHECK(stopped.progress.epoch == 1);
        CHECK(stopped.progress.iteration_in_epoch == 1);
    }
    options.stop_requested = nullptr;
    Model resumed({.seed = 1});
    const auto progress = gan::load_checkpoint(options.output_dir / "checkpoint.safetensors", resumed);
    const auto finished = gan::fit(resumed, data, options, progress);
    CHECK(finished.completed);
    CHECK(generator_weights(resumed) == generator_weights(straight));
    CHECK(count_lines(options.output_dir / "losses.csv") == 1 + 6);
}

TEST_CASE("a NaN loss stops training with a clear error and keeps the last good checkpoint") {
    Scratch scratch("trainer");
    auto data = make_data(5);
    data.targets(3, 0, 5, 5) = std::nanf("");
    gan::TrainerOptions options;
    options.n_epochs = 1;
    options.n_epochs_decay = 0;
    options.shuffle = false;
    options.checkpoint_every = 1;
    options.show_progress = false;
    options.output_dir = scratch.dir / "nan";
    Model model({.seed = 2});
    CHECK_THROWS_WITH_AS(gan::fit(model, data, options), doctest::Contains("diverged at epoch 1, iteration 4"),
                         gan::training_diverged);
    Model check({.seed = 2});
    const auto progress = gan::load_checkpoint(options.output_dir / "checkpoint.safetensors", check);
    CHECK(progress.iterations == 3);
    CHECK_FALSE(fs::exists(options.output_dir / "generator.safetensors"));
}

TEST_CASE("epoch orders are permutations, differ between epochs, and repeat for the same epoch") {
    const auto a = gan::epoch_order(100, 5, 0), b = gan::epoch_order(100, 5, 1), again = gan::epoch_order(100, 5, 0);
    CHECK(a == again);
    CHECK(a != b);
    auto sorted = a;
    std::sort(sorted.begin(), sorted.end());
    for (std::size_t i = 0; i < sorted.size(); ++i) REQUIRE(sorted[i] == i);
    CHECK(gan::epoch_order(3, 5, 0, false) == std::vector<std::size_t>{0, 1, 2});
}

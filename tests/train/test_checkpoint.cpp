#include <doctest/doctest.h>

#include <gan/train/checkpoint.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "small_pix2pix.hpp"

namespace fs = std::filesystem;

using G = gan_test::SmallG;
using Model = gan_test::SmallPix2Pix;
using gan_test::Scratch;

namespace {

// Trains iterations [first, last) on a fixed synthetic stream of pairs.
void train(Model& model, int first, int last) {
    G::input_type a(1);
    G::output_type b(1);
    for (int it = first; it < last; ++it) {
        gan::Random data(1000 + std::uint64_t(it));
        gan::fill_uniform(a, -1, 1, data);
        gan::fill_uniform(b, -1, 1, data);
        model.train_step(a, b);
    }
}

template <class Net>
std::vector<float> weights(Net& net) {
    std::vector<float> all;
    net.visit_parameters([&](const std::string&, auto& p) { all.insert(all.end(), p.value().data(), p.value().data() + p.size()); });
    net.visit_buffers([&](const std::string&, auto& b) {
        for (std::size_t i = 0; i < b.size(); ++i) all.push_back(float(b[i]));
    });
    return all;
}

}  // namespace

TEST_CASE("resuming from a checkpoint continues bit-identically to an uninterrupted run") {
    // bfloat16 moments too: they are stored as BF16, and the stochastic rounding's bits depend
    // only on the step, so the resumed run rounds as the straight one does.
    for (const auto moments : {gan::AdamMoments::full, gan::AdamMoments::bfloat16}) {
        CAPTURE(gan::to_string(moments));
        Scratch scratch("checkpoint");
        Model straight({.seed = 3, .adam_moments = moments});
        train(straight, 0, 4);

        {
            Model first_half({.seed = 3, .adam_moments = moments});
            train(first_half, 0, 2);
            gan::save_checkpoint(scratch.dir / "checkpoint.safetensors", first_half, {0, 2, 2});
        }
        // Another seed: everything must come from the file.
        Model resumed({.seed = 77, .adam_moments = moments});
        const auto progress = gan::load_checkpoint(scratch.dir / "checkpoint.safetensors", resumed);
        CHECK(progress.iteration_in_epoch == 2);
        CHECK(progress.iterations == 2);
        train(resumed, 2, 4);

        CHECK(weights(resumed.generator()) == weights(straight.generator()));
        CHECK(weights(resumed.discriminator()) == weights(straight.discriminator()));
        CHECK(resumed.optimizer_g().steps() == 4);
        const auto file = gan::io::read_safetensors(scratch.dir / "checkpoint.safetensors");
        CHECK(file.meta("options.adam_moments") == gan::to_string(moments));
        CHECK(file.tensor("optim_G.model.model.0.weight.exp_avg").dtype ==
              (moments == gan::AdamMoments::full ? gan::io::DType::f32 : gan::io::DType::bf16));
    }
}

TEST_CASE("a checkpoint with full-precision moments resumes with bfloat16 ones, rounded to nearest") {
    Scratch scratch("checkpoint-convert");
    Model full({.seed = 3});
    train(full, 0, 2);
    gan::save_checkpoint(scratch.dir / "checkpoint.safetensors", full, {0, 2, 2});
    Model narrow({.seed = 3, .adam_moments = gan::AdamMoments::bfloat16});
    gan::load_checkpoint(scratch.dir / "checkpoint.safetensors", narrow);
    CHECK(weights(narrow.generator()) == weights(full.generator()));

    std::vector<float> expected;
    full.optimizer_g().visit_state([&](const std::string&, gan::Array<float>& a) {
        for (std::size_t i = 0; i < a.size(); ++i) expected.push_back(gan::bfloat16::nearest(a[i]).to_float());
    });
    std::vector<float> loaded;
    narrow.optimizer_g().visit_stored_state([&](const std::string&, auto& a) {
        for (std::size_t i = 0; i < a.size(); ++i) loaded.push_back(float(a[i]));
    });
    REQUIRE(loaded.size() == expected.size());
    CHECK(loaded == expected);
    CHECK(std::any_of(loaded.begin(), loaded.end(), [](float v) { return v != 0; }));
}

TEST_CASE("a model file loads into the same configuration and is refused by another, naming both") {
    Scratch scratch("checkpoint");
    Model model({.seed = 1});
    train(model, 0, 1);
    gan::save_generator(scratch.dir / "model.safetensors", model.generator());
    G loaded;
    gan::load_generator(scratch.dir / "model.safetensors", loaded);
    CHECK(weights(loaded) == weights(model.generator()));
    // A checkpoint serves as a model file too.
    gan::save_checkpoint(scratch.dir / "checkpoint.safetensors", model, {});
    G from_checkpoint;
    gan::load_generator(scratch.dir / "checkpoint.safetensors", from_checkpoint);
    CHECK(weights(from_checkpoint) == weights(model.generator()));

    gan::UNet<5, 4, 1, 1, gan::BatchNorm, gan::cpu, float, 32> wider;
    try {
        gan::load_generator(scratch.dir / "model.safetensors", wider);
        FAIL("a UNet<5, 4> loaded a UNet<5, 2> file");
    } catch (const gan::shape_error& e) {
        const std::string message = e.what();
        CHECK(message.find("UNet<5, 2>") != std::string::npos);
        CHECK(message.find("UNet<5, 4>") != std::string::npos);
    }
    // A model file is not a checkpoint.
    CHECK_THROWS_WITH_AS(gan::load_checkpoint(scratch.dir / "model.safetensors", model),
                         doctest::Contains("not a gan training checkpoint"), gan::io_error);
}

TEST_CASE("truncated or foreign files are refused and nothing is half-loaded into a file on disk") {
    Scratch scratch("checkpoint");
    Model model({.seed = 1});
    const fs::path path = scratch.dir / "model.safetensors";
    gan::save_generator(path, model.generator());
    const auto size = fs::file_size(path);
    std::string bytes(size, '\0');
    std::ifstream(path, std::ios::binary).read(bytes.data(), std::streamsize(size));
    std::ofstream(scratch.dir / "cut.safetensors", std::ios::binary) << bytes.substr(0, size / 2);
    G g;
    CHECK_THROWS_WITH_AS(gan::load_generator(scratch.dir / "cut.safetensors", g), doctest::Contains("truncated"),
                         gan::io_error);
    // A valid safetensors file without gan's metadata.
    std::ofstream(scratch.dir / "foreign.safetensors", std::ios::binary) << std::string("\x08\0\0\0\0\0\0\0{}      ", 16);
    CHECK_THROWS_WITH_AS(gan::load_generator(scratch.dir / "foreign.safetensors", g),
                         doctest::Contains("does not say which generator"), gan::io_error);
    CHECK_THROWS_AS(gan::load_generator(scratch.dir / "foreign.safetensors", g), gan::io_error);
    CHECK_THROWS_AS(gan::load_generator(scratch.dir / "missing.safetensors", g), gan::io_error);
}

#pragma once
// Checkpoints and model files, as safetensors.
//
// A checkpoint holds everything training needs to continue bit-identically: generator and
// discriminator weights and BatchNorm buffers ("G.<state_dict name>", "D.<name>", the reference's
// names), both Adam states ("optim_G.<name>.exp_avg", ...), and in the metadata the model
// configuration, the training options, the step counts, the dropout random streams and the
// position in the data. A model file is the generator part alone ("G." tensors and the
// generator's configuration): what `lacbed predict` and an embedding code load.
//
// Loading into a model of another configuration fails with a message naming both; every write
// goes through a temporary file and a rename, so a crash never leaves a broken file behind.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include "gan/core/error.hpp"
#include "gan/io/safetensors.hpp"
#include "gan/train/pix2pix.hpp"
#include "gan/train/state_dict.hpp"
#include "gan/version.hpp"

GAN_NAMESPACE_BEGIN

// Where training stands: epochs finished, iterations into the current epoch, iterations in all.
struct TrainingProgress {
    std::int64_t epoch = 0;
    std::int64_t iteration_in_epoch = 0;
    std::int64_t iterations = 0;
};

inline constexpr const char* checkpoint_format = "gan.pix2pix.checkpoint";
inline constexpr const char* generator_format = "gan.pix2pix.generator";

namespace detail {

template <class G>
std::map<std::string, std::string> generator_config() {
    return {{"generator", G::description()},
            {"generator.depth", std::to_string(G::depth)},
            {"generator.channels", std::to_string(G::channels)},
            {"generator.in_channels", std::to_string(G::in_channels)},
            {"generator.out_channels", std::to_string(G::out_channels)},
            {"generator.height", std::to_string(G::height)},
            {"generator.width", std::to_string(G::width)},
            {"generator.norm", G::norm::name}};
}

// Refuses a file written for another generator, naming both configurations.
template <class G>
void check_generator_config(const io::SafetensorsFile& file) {
    for (const auto& [key, value] : generator_config<G>()) {
        const auto it = file.metadata.find(key);
        if (it == file.metadata.end())
            throw io_error("'" + file.source + "' does not say which generator it holds (no '" + key +
                           "' in its metadata); is it a gan model file or checkpoint?");
        if (it->second != value) {
            const auto described = file.metadata.find("generator");
            throw shape_error("'" + file.source + "' holds a " +
                              (described != file.metadata.end() ? described->second : key + " = " + it->second) +
                              " but this program's model is a " + G::description() +
                              "; use the configuration the file names, or retrain");
        }
    }
}

inline std::int64_t metadata_integer(const io::SafetensorsFile& file, const std::string& key) {
    const std::string& text = file.meta(key);
    try {
        std::size_t used = 0;
        const long long v = std::stoll(text, &used);
        if (used == text.size()) return v;
    } catch (const std::exception&) {
    }
    throw io_error("'" + file.source + "': metadata '" + key + "' should be an integer but is '" + text + "'");
}

inline std::uint64_t metadata_unsigned(const io::SafetensorsFile& file, const std::string& key) {
    const std::string& text = file.meta(key);
    try {
        std::size_t used = 0;
        const unsigned long long v = std::stoull(text, &used);
        if (used == text.size()) return v;
    } catch (const std::exception&) {
    }
    throw io_error("'" + file.source + "': metadata '" + key + "' should be an unsigned integer but is '" + text + "'");
}

// Borrows the optimiser's arrays: write the file before the next step.
template <Scalar T, Backend B>
void store_optimizer(io::SafetensorsFile& file, const std::string& prefix, Adam<T, B>& optimizer) {
    optimizer.visit_stored_state([&](const std::string& name, auto& a) { file.tensors[prefix + name] = borrow_stored(a); });
    file.metadata[prefix + "steps"] = std::to_string(optimizer.steps());
}
template <Scalar T, Backend B>
void load_optimizer(const io::SafetensorsFile& file, const std::string& prefix, Adam<T, B>& optimizer) {
    optimizer.visit_stored_state([&](const std::string& name, auto& a) { from_stored(file, prefix + name, a); });
    optimizer.set_steps(metadata_integer(file, prefix + "steps"));
}

}  // namespace detail

template <class G>
void save_generator(const std::filesystem::path& path, const G& generator) {
    io::SafetensorsFile file;
    file.metadata = detail::generator_config<G>();
    file.metadata["format"] = generator_format;
    file.metadata["gan.version"] = version_string;
    detail::store_state<true>(file, "G.", generator);  // borrowed: written right away
    io::write_safetensors(path, file);
}

// Loads the generator from a model file or a checkpoint.
template <class G>
void load_generator(const std::filesystem::path& path, G& generator) {
    const io::SafetensorsFile file = io::read_safetensors(path);
    detail::check_generator_config<G>(file);
    load_state(file, "G.", generator);
}

template <class G, class D>
void save_checkpoint(const std::filesystem::path& path, Pix2Pix<G, D>& model, const TrainingProgress& progress) {
    io::SafetensorsFile file;
    file.metadata = detail::generator_config<G>();
    const auto& o = model.options();
    file.metadata.insert({{"format", checkpoint_format},
                          {"gan.version", version_string},
                          {"discriminator", D::description()},
                          {"options.lr", std::to_string(o.lr)},
                          {"options.beta1", std::to_string(o.beta1)},
                          {"options.beta2", std::to_string(o.beta2)},
                          {"options.lambda_l1", std::to_string(o.lambda_l1)},
                          {"options.gan_loss", to_string(o.gan_loss)},
                          {"options.adam_moments", to_string(o.adam_moments)},
                          {"options.seed", std::to_string(o.seed)},
                          {"progress.epoch", std::to_string(progress.epoch)},
                          {"progress.iteration_in_epoch", std::to_string(progress.iteration_in_epoch)},
                          {"progress.iterations", std::to_string(progress.iterations)}});
    // The file borrows the arrays (no second copy of the model in memory): written right away.
    detail::store_state<true>(file, "G.", model.generator());
    detail::store_state<true>(file, "D.", model.discriminator());
    detail::store_optimizer(file, "optim_G.", model.optimizer_g());
    detail::store_optimizer(file, "optim_D.", model.optimizer_d());
    int k = 0;
    model.generator().visit_dropout([&](auto& dropout) {
        const std::string key = "G.dropout." + std::to_string(k++);
        file.metadata[key + ".seed"] = std::to_string(dropout.random().seed());
        file.metadata[key + ".position"] = std::to_string(dropout.random().position());
    });
    io::write_safetensors(path, file);
}

// Restores a Pix2Pix built with the checkpoint's configuration; returns where training stood.
template <class G, class D>
TrainingProgress load_checkpoint(const std::filesystem::path& path, Pix2Pix<G, D>& model) {
    const io::SafetensorsFile file = io::read_safetensors(path);
    const auto format = file.metadata.find("format");
    if (format == file.metadata.end() || format->second != checkpoint_format)
        throw io_error("'" + path.string() + "' is not a gan training checkpoint" +
                       (format != file.metadata.end() ? " (it is a '" + format->second + "')" : std::string()) +
                       "; resume from the checkpoint.safetensors that training writes");
    detail::check_generator_config<G>(file);
    if (file.meta("discriminator") != D::description())
        throw shape_error("'" + path.string() + "' holds a " + file.meta("discriminator") +
                          " discriminator but this program's is a " + D::description());
    load_state(file, "G.", model.generator());
    load_state(file, "D.", model.discriminator());
    detail::load_optimizer(file, "optim_G.", model.optimizer_g());
    detail::load_optimizer(file, "optim_D.", model.optimizer_d());
    int k = 0;
    model.generator().visit_dropout([&](auto& dropout) {
        const std::string key = "G.dropout." + std::to_string(k++);
        dropout.random() = Random(detail::metadata_unsigned(file, key + ".seed"),
                                  detail::metadata_unsigned(file, key + ".position"));
    });
    return {detail::metadata_integer(file, "progress.epoch"), detail::metadata_integer(file, "progress.iteration_in_epoch"),
            detail::metadata_integer(file, "progress.iterations")};
}

GAN_NAMESPACE_END

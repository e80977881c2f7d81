#pragma once
// The model configurations lacbed is compiled with. A model file names its configuration in its
// metadata, and lacbed picks the matching one; to add a configuration, add one line to the list.
#include <string>
#include <tuple>

#include <gan/io/safetensors.hpp>
#include <gan/models/unet.hpp>
#include <gan/train/pix2pix.hpp>

namespace lacbed {

// A single-channel U-Net of `Depth` down-samplings and `Channels` (ngf) on Size × Size images,
// with pix2pix's 70×70 PatchGAN of `DChannels` (ndf) base channels. At 64×64 the reference
// discriminator (ndf 64) costs 8 times the compact generator's FLOPs per step, so the compact
// configurations scale it down with the generator; "-d<ndf>" in the name says so.
template <int Depth, int Channels, int Size, int DChannels = 64>
struct Configuration {
    using generator = gan::UNet<Depth, Channels, 1, 1, gan::BatchNorm, gan::cpu, float, Size>;
    using discriminator = gan::PatchGAN<3, DChannels, 2, gan::BatchNorm, gan::cpu, float, Size>;
    using model = gan::Pix2Pix<generator, discriminator>;
    static std::string name() {
        return "unet" + std::to_string(Depth) + "-" + std::to_string(Channels) + "-" + std::to_string(Size) +
               (DChannels == 64 ? "" : "-d" + std::to_string(DChannels));
    }
    static constexpr int size = Size;
};

// The generator's part of the name: what a model file (which holds no discriminator) identifies.
template <class Config>
std::string generator_name() {
    using G = typename Config::generator;
    return "unet" + std::to_string(G::depth) + "-" + std::to_string(G::channels) + "-" + std::to_string(G::height);
}

using Configurations = std::tuple<
    Configuration<6, 16, 64, 16>,  // unet6-16-64-d16: the compact default of the end-to-end pipeline
    Configuration<6, 16, 64>,      // unet6-16-64
    Configuration<6, 32, 64>,      // unet6-32-64
    Configuration<7, 64, 128>,     // unet7-64-128: the reference unet_128 at the published image size
    Configuration<8, 64, 256>>;    // unet8-64-256: the reference unet_256
inline constexpr const char* default_configuration = "unet6-16-64-d16";

// All configuration names, for help texts and messages.
inline std::string configuration_names() {
    std::string names;
    std::apply([&](auto... c) { ((names += (names.empty() ? "" : ", ") + decltype(c)::name()), ...); }, Configurations{});
    return names;
}

// Calls f(Configuration{}) for the configuration called `name`.
template <class F>
void with_configuration(const std::string& name, F&& f) {
    bool found = false;
    std::apply([&](auto... c) { ((!found && decltype(c)::name() == name ? (f(c), found = true) : false), ...); },
               Configurations{});
    if (!found)
        throw gan::invalid_argument("unknown configuration '" + name + "'; this lacbed offers " + configuration_names());
}

// The configuration a model file or checkpoint was written for.
inline std::string configuration_of(const gan::io::SafetensorsFile& file) {
    auto field = [&](const char* key) {
        const auto it = file.metadata.find(key);
        if (it == file.metadata.end())
            throw gan::io_error("'" + file.source + "' does not name its model configuration (no '" + key +
                                "'); is it a gan model file?");
        return it->second;
    };
    if (field("generator.in_channels") != "1" || field("generator.out_channels") != "1" ||
        field("generator.norm") != "batch" || field("generator.height") != field("generator.width"))
        throw gan::io_error("'" + file.source + "' holds a " + field("generator") +
                            ", which this lacbed was not compiled for (it offers " + configuration_names() + ")");
    const std::string name = "unet" + field("generator.depth") + "-" + field("generator.channels") + "-" +
                             field("generator.height");
    // Configurations that differ only in the discriminator share the generator: the first will do.
    std::string configuration;
    std::apply(
        [&](auto... c) {
            ((configuration.empty() && generator_name<decltype(c)>() == name ? configuration = decltype(c)::name() : configuration), ...);
        },
        Configurations{});
    if (configuration.empty())
        throw gan::io_error("'" + file.source + "' holds a " + field("generator") + " (" + name +
                            "), which this lacbed was not compiled for; it offers " + configuration_names() +
                            " (add one line to examples/lacbed/configurations.hpp)");
    return configuration;
}

}  // namespace lacbed

#pragma once
// What the training tests share: a small pix2pix pair of networks and a scratch folder.
#include <filesystem>
#include <string>

#include <unistd.h>

#include <gan/models/unet.hpp>
#include <gan/train/pix2pix.hpp>

namespace gan_test {

using SmallG = gan::UNet<5, 2, 1, 1, gan::BatchNorm, gan::cpu, float, 32>;
using SmallD = gan::PatchGAN<2, 2, 2, gan::BatchNorm, gan::cpu, float, 32>;
using SmallPix2Pix = gan::Pix2Pix<SmallG, SmallD>;

// A fresh, empty folder under the system's temporary directory, removed afterwards. The process
// id keeps test cases apart when ctest runs them in parallel.
struct Scratch {
    std::filesystem::path dir;
    explicit Scratch(const std::string& name)
        : dir(std::filesystem::temp_directory_path() / ("gan_test_" + name + "_" + std::to_string(::getpid()))) {
        std::filesystem::remove_all(dir);
        std::filesystem::create_directories(dir);
    }
    ~Scratch() { std::filesystem::remove_all(dir); }
};

}  // namespace gan_test

#pragma once
// Image files as lacbed reads and writes them: NumPy .npy (float32/float64), PNG (8/16-bit
// grayscale) and Felix .bin (raw float64), one single-channel image per file, values in 0..1.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <gan/core/dynamic_tensor.hpp>
#include <gan/io/felix_bin.hpp>
#include <gan/io/npy.hpp>
#include <gan/io/png.hpp>
#include <gan/train/paired_images.hpp>

namespace lacbed {

namespace fs = std::filesystem;

inline bool is_image_file(const fs::path& p) {
    const auto ext = p.extension().string();
    return ext == ".npy" || ext == ".png" || ext == ".bin";
}

// One image, shape (1, 1, H, W); refuses stacks, colour and non-finite values.
inline gan::DynamicTensor<float> read_image(const fs::path& path) {
    const auto ext = path.extension().string();
    gan::DynamicTensor<float> image;
    if (ext == ".npy") image = gan::io::read_npy_images<float>(path);
    else if (ext == ".png") image = gan::io::read_png<float>(path);
    else if (ext == ".bin") image = gan::io::read_felix_bin<float>(path);
    else throw gan::io_error("'" + path.string() + "': unknown image type; use .npy, .png or .bin");
    if (image.shape().batch != 1 || image.shape().channels != 1)
        throw gan::io_error("'" + path.string() + "' holds " + std::to_string(image.shape().batch) + " images of " +
                            std::to_string(image.shape().channels) + " channels; give one single-channel image per file");
    for (std::size_t i = 0; i < image.size(); ++i)
        if (!std::isfinite(image.data()[i]))
            throw gan::io_error("'" + path.string() + "' contains a NaN or infinite value at pixel " + std::to_string(i));
    return image;
}

// Writes one H×W image in the format of the path's extension, atomically.
inline void write_image(const fs::path& path, const float* values, std::size_t height, std::size_t width) {
    const auto ext = path.extension().string();
    if (ext == ".npy") gan::io::write_npy(path, values, {height, width});
    else if (ext == ".png") gan::io::write_png(path, values, height, width, 16);
    else if (ext == ".bin") {
        if (height != width) throw gan::io_error("Felix .bin images are square; '" + path.string() + "' would not be");
        gan::io::write_felix_bin(path, values, height);
    } else {
        throw gan::io_error("'" + path.string() + "': unknown output type; use .npy, .png or .bin");
    }
}

// The image files of a folder, sorted by name.
inline std::vector<fs::path> list_images(const fs::path& folder) {
    if (!fs::is_directory(folder)) throw gan::io_error("'" + folder.string() + "' is not a folder");
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(folder))
        if (entry.is_regular_file() && is_image_file(entry.path())) files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    if (files.empty()) throw gan::io_error("'" + folder.string() + "' holds no .npy, .png or .bin images");
    return files;
}

// Input and target files paired by name (file stem): every input needs its target.
inline std::vector<std::pair<fs::path, fs::path>> pair_images(const fs::path& inputs, const fs::path& targets) {
    std::map<std::string, fs::path> by_stem;
    for (const auto& t : list_images(targets)) by_stem[t.stem().string()] = t;
    std::vector<std::pair<fs::path, fs::path>> pairs;
    for (const auto& a : list_images(inputs)) {
        const auto it = by_stem.find(a.stem().string());
        if (it == by_stem.end())
            throw gan::io_error("input '" + a.string() + "' has no target named '" + a.stem().string() + ".*' in '" +
                                targets.string() + "'; inputs and targets are paired by file name");
        pairs.emplace_back(a, it->second);
    }
    return pairs;
}

// Copies a (1, 1, H, W) image into sample n of a static tensor, mapping 0..1 to [−1, 1] unless raw.
template <class Tensor>
void put_image(const gan::DynamicTensor<float>& image, Tensor& t, std::size_t n, const fs::path& source, bool raw = false) {
    using S = typename Tensor::shape;
    if (image.shape().height != std::size_t(S::height) || image.shape().width != std::size_t(S::width))
        throw gan::shape_error("'" + source.string() + "' is " + std::to_string(image.shape().height) + "x" +
                               std::to_string(image.shape().width) + " but the model takes " + std::to_string(S::height) +
                               "x" + std::to_string(S::width) + " images; resize it or use a matching configuration");
    // Values outside 0..1 are almost always raw intensities (a Felix .bin straight from its run):
    // trained on, they would teach the network another scale without a word.
    if (!raw) {
        const auto [lo, hi] = std::minmax_element(image.data(), image.data() + S::size);
        if (!(*lo >= -1e-3f && *hi <= 1.001f))
            throw gan::io_error("'" + source.string() + "' holds values from " + std::to_string(*lo) + " to " +
                                std::to_string(*hi) + ", not 0..1; normalise it first ('lacbed prepare' does so for "
                                "Felix runs)");
    }
    for (std::size_t i = 0; i < S::size; ++i)
        t[n * S::size + i] = raw ? image.data()[i] : gan::to_network_range(image.data()[i]);
}

}  // namespace lacbed

// Writes a small synthetic set of image pairs for the lacbed command-line test:
//   make_pairs DIR COUNT SIZE   →  DIR/inputs/pNN.npy and DIR/targets/pNN.npy, values 0..1
// The target is a shifted, darkened copy of the input: something a U-Net can learn.
#include <gan/core/random.hpp>
#include <gan/io/npy.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

int main(int argc, char** argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: make_pairs DIR COUNT SIZE\n");
        return 2;
    }
    const std::filesystem::path dir = argv[1];
    const int count = std::atoi(argv[2]), size = std::atoi(argv[3]);
    std::filesystem::create_directories(dir / "inputs");
    std::filesystem::create_directories(dir / "targets");
    gan::Random rng(42);
    std::vector<float> a(std::size_t(size) * size), b(a.size());
    for (int k = 0; k < count; ++k) {
        for (auto& v : a) v = float(rng.uniform());
        for (int r = 0; r < size; ++r)
            for (int c = 0; c < size; ++c) b[std::size_t(r) * size + c] = 0.5f * a[std::size_t(r) * size + (c + 1) % size];
        char name[32];
        std::snprintf(name, sizeof name, "p%02d.npy", k);
        gan::io::write_npy(dir / "inputs" / name, a.data(), {std::size_t(size), std::size_t(size)});
        gan::io::write_npy(dir / "targets" / name, b.data(), {std::size_t(size), std::size_t(size)});
    }
    return 0;
}

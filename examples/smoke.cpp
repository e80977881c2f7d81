// The smoke run behind scripts/run until the full pipeline lands: seeded initialisation of a
// pix2pix-sized batch, timed, with a checksum that is the same on every machine.
#include <gan/gan.hpp>

#include <chrono>
#include <cstdio>

int main() {
    using Image = gan::Tensor<float, gan::Shape<1, 128, 128>>;
    using Encoded = gan::conv2d_output_t<Image::shape, 64, 4, 2, 1>;
    gan::Random rng(2026);
    Image x(8);
    const auto start = std::chrono::steady_clock::now();
    gan::fill_normal(x, 0.0, 1.0, rng);
    const auto stop = std::chrono::steady_clock::now();
    double sum = 0;
    for (float v : x.span()) sum += v;
    std::printf("gan %s: %zu normals in %.2f ms, sum %.6f; first conv maps %s to %s\n", gan::version_string,
                x.size(), std::chrono::duration<double, std::milli>(stop - start).count(), sum,
                Image::shape::str().c_str(), Encoded::str().c_str());
    return 0;
}

// The CUDA backend policy on a real GPU. Built only when the CUDA toolkit is found; on a machine
// without a GPU or driver the whole executable reports "skipped" to ctest (exit code 77).
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <gan/backends/cuda.hpp>
#include <gan/core/init.hpp>
#include <gan/core/transfer.hpp>

#include <cstdio>

using Image = gan::Shape<3, 17, 19>;

TEST_CASE("host -> device -> device -> host round trip keeps every bit") {
    gan::Tensor<float, Image> host(5);
    gan::Random rng(3);
    gan::fill_normal(host, 0.0, 1.0, rng);
    const auto device = gan::to_backend<gan::cuda>(host);
    CHECK(device.batch() == 5);
    const gan::Tensor<float, Image, gan::cuda> copy = device;  // device-to-device copy
    const auto back = gan::to_host(copy);
    for (std::size_t i = 0; i < host.size(); ++i) REQUIRE(back[i] == host[i]);
}

TEST_CASE("new device storage is zeroed, resize keeps it when unchanged") {
    gan::Tensor<double, Image, gan::cuda> t(2);
    const double* storage = t.data();
    t.resize(2);
    CHECK(t.data() == storage);
    const auto back = gan::to_host(t);
    for (std::size_t i = 0; i < back.size(); ++i) REQUIRE(back[i] == 0.0);
}

int main(int argc, char** argv) {
    if (!gan::cuda::available()) {
        std::printf("no CUDA device or driver: the CUDA backend tests are skipped\n");
        return 77;
    }
    doctest::Context context(argc, argv);
    return context.run();
}

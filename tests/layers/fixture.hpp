#pragma once
// Reading the PyTorch fixtures of tools/reference/make_fixtures.py and comparing with them.
//
// The measure is the relative error of a whole tensor, max|a − b| / max|b| (b from PyTorch); a
// float32 result passes below 1e-5.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <gan/core/tensor.hpp>
#include <gan/io/safetensors.hpp>
#include <gan/layers/parameter.hpp>

namespace gan_test {

inline constexpr double parity_tolerance = 1e-5;

template <class T>
double relative_error(const T* a, const std::vector<T>& b) {
    double diff = 0, scale = 0;
    for (std::size_t i = 0; i < b.size(); ++i) {
        diff = std::max(diff, std::abs(double(a[i]) - double(b[i])));
        scale = std::max(scale, std::abs(double(b[i])));
    }
    return scale > 0 ? diff / scale : diff;
}

class Fixture {
public:
    explicit Fixture(const std::string& name)
        : file_(gan::io::read_safetensors(std::string(GAN_TEST_DATA_DIR) + "/fixtures/" + name + ".safetensors")) {}

    const gan::io::StoredTensor& stored(const std::string& name) const { return file_.tensor(name); }
    std::vector<float> values(const std::string& name) const { return stored(name).values<float>(); }
    float scalar(const std::string& name) const { return values(name).at(0); }
    const std::string& meta(const std::string& key) const { return file_.meta(key); }

    // An NCHW tensor: the stored shape must be (N, C, H, W) of the tensor's sample shape.
    template <class S>
    void load(const std::string& name, gan::Tensor<float, S>& t) const {
        const auto& s = stored(name);
        REQUIRE(s.shape.size() == 4);
        REQUIRE(s.shape[1] == std::size_t(S::channels));
        REQUIRE(s.shape[2] == std::size_t(S::height));
        REQUIRE(s.shape[3] == std::size_t(S::width));
        t.resize(s.shape[0]);
        const auto v = s.values<float>();
        std::copy(v.begin(), v.end(), t.data());
    }
    // A parameter or buffer: its shape must equal PyTorch's, which is what makes state_dicts map 1:1.
    template <class V>
    void load(const std::string& name, gan::Array<V>& a) const {
        const auto& s = stored(name);
        INFO(name);
        REQUIRE(s.shape == a.shape());
        const auto v = s.values<double>();
        for (std::size_t i = 0; i < v.size(); ++i) a[i] = V(v[i]);
    }

    template <class S>
    void expect(const std::string& name, const gan::Tensor<float, S>& t) const {
        const auto v = values(name);
        INFO(name);
        REQUIRE(v.size() == t.size());
        const double error = relative_error(t.data(), v);
        INFO("relative error ", error);
        CHECK(error < parity_tolerance);
    }
    void expect(const std::string& name, const gan::Array<float>& a) const {
        const auto v = values(name);
        INFO(name);
        REQUIRE(stored(name).shape == a.shape());
        const double error = relative_error(a.data(), v);
        INFO("relative error ", error);
        CHECK(error < parity_tolerance);
    }

    // Loads "param.<prefix><name>" into every parameter of `module`.
    template <class Module>
    void load_parameters(Module& module, const std::string& prefix) const {
        module.visit_parameters([&](const std::string& name, gan::Parameter<float>& p) { load("param." + prefix + name, p.value()); });
    }
    // Compares every parameter gradient with "grad.<prefix><name>" and every buffer with
    // "buffer.<prefix><name>".
    template <class Module>
    void expect_gradients_and_buffers(Module& module, const std::string& prefix) const {
        module.visit_parameters([&](const std::string& name, gan::Parameter<float>& p) { expect("grad." + prefix + name, p.grad()); });
        module.visit_buffers([&](const std::string& name, auto& buffer) {
            using V = typename std::remove_cvref_t<decltype(buffer)>::value_type;
            if constexpr (std::is_same_v<V, float>) {
                expect("buffer." + prefix + name, buffer);
            } else {
                INFO(name);
                CHECK(double(buffer[0]) == double(scalar("buffer." + prefix + name)));
            }
        });
    }

private:
    gan::io::SafetensorsFile file_;
};

}  // namespace gan_test

#pragma once
// pix2pix's weight initialisation ("normal", gain 0.02; networks.py init_weights): every conv
// and transposed conv weight ~ N(0, 0.02), every norm weight ~ N(1, 0.02), every bias 0.
// Works on any model with visit_parameters, on any backend.
#include <string>
#include <vector>

#include "gan/core/init.hpp"
#include "gan/core/random.hpp"

GAN_NAMESPACE_BEGIN

template <class Model>
void init_pix2pix(Model& model, Random& rng, double gain = 0.02) {
    model.visit_parameters([&](const std::string& name, auto& parameter) {
        using T = typename std::remove_cvref_t<decltype(parameter)>::value_type;
        using B = typename std::remove_cvref_t<decltype(parameter)>::backend;
        std::vector<T> values(parameter.size(), T(0));
        const bool is_bias = name.size() >= 4 && name.compare(name.size() - 4, 4, "bias") == 0;
        // Conv weights have four dimensions, norm weights (per-channel scales) one.
        if (!is_bias) fill_normal(values.data(), values.size(), parameter.shape().size() == 1 ? 1.0 : 0.0, gain, rng);
        B::copy_from_host(parameter.value().data(), values.data(), values.size() * sizeof(T));
    });
}

GAN_NAMESPACE_END

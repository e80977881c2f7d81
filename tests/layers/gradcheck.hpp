#pragma once
// Gradient checks against central finite differences, in double precision.
//
// The scalar checked is L = Σ y · r for a fixed random r, so dL/dy = r is what backward() gets;
// every input element and every parameter element is perturbed by ±h.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <gan/core/init.hpp>
#include <gan/core/random.hpp>

namespace gan_test {

// max|a − b| / max|b|: the relative error of a whole tensor.
inline double relative_error(const double* a, const double* b, std::size_t n) {
    double diff = 0, scale = 0;
    for (std::size_t i = 0; i < n; ++i) {
        diff = std::max(diff, std::abs(a[i] - b[i]));
        scale = std::max(scale, std::abs(b[i]));
    }
    // A gradient that is exactly zero (a conv bias before InstanceNorm, say) has no scale to
    // relate to: compare absolutely, against the finite differences' own noise.
    return scale > 1e-6 ? diff / scale : diff;
}

template <class Layer>
double weighted_output(Layer& layer, const typename Layer::input_type& x, const typename Layer::output_type& r) {
    typename Layer::output_type y;
    layer.forward(x, y);
    double sum = 0;
    for (std::size_t i = 0; i < y.size(); ++i) sum += y[i] * r[i];
    return sum;
}

// Checks dx and every parameter gradient of `layer` at a random input of `batch` samples.
template <class Layer>
void check_gradients(Layer& layer, std::size_t batch, std::uint64_t seed = 1, double tolerance = 1e-6) {
    gan::Random rng(seed);
    typename Layer::input_type x(batch);
    typename Layer::output_type y, r(batch);
    gan::fill_normal(x, 0.0, 1.0, rng);
    gan::fill_normal(r, 0.0, 1.0, rng);
    layer.visit_parameters([&](const std::string&, auto& p) { gan::fill_normal(p.value().data(), p.size(), 0.3, 0.5, rng); });

    layer.zero_grad();
    layer.forward(x, y);
    typename Layer::input_type dx;
    layer.backward(r, dx);

    const double h = 1e-6;
    std::vector<double> numeric(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double saved = x[i];
        x[i] = saved + h;
        const double plus = weighted_output(layer, x, r);
        x[i] = saved - h;
        const double minus = weighted_output(layer, x, r);
        x[i] = saved;
        numeric[i] = (plus - minus) / (2 * h);
    }
    const double input_error = relative_error(dx.data(), numeric.data(), x.size());
    INFO("input gradient, relative error ", input_error);
    CHECK(input_error < tolerance);

    layer.visit_parameters([&](const std::string& name, auto& p) {
        std::vector<double> numeric_p(p.size());
        for (std::size_t i = 0; i < p.size(); ++i) {
            const double saved = p.value()[i];
            p.value()[i] = saved + h;
            const double plus = weighted_output(layer, x, r);
            p.value()[i] = saved - h;
            const double minus = weighted_output(layer, x, r);
            p.value()[i] = saved;
            numeric_p[i] = (plus - minus) / (2 * h);
        }
        const double error = relative_error(p.grad().data(), numeric_p.data(), p.size());
        INFO("gradient of ", name, ", relative error ", error);
        CHECK(error < tolerance);
    });
}

}  // namespace gan_test

#pragma once
// Loading a trained generator and running it on single images, shared by predict and evaluate.
#include <memory>
#include <string>
#include <vector>

#include <gan/train/checkpoint.hpp>

#include "configurations.hpp"
#include "images.hpp"

namespace lacbed {

// The reference's test protocol keeps training-mode BatchNorm (each image normalised by its
// own statistics) and dropout; --eval switches to running statistics without dropout.
template <class G>
std::unique_ptr<G> load_generator_for_inference(const fs::path& model, bool eval, std::uint64_t seed) {
    auto g = std::make_unique<G>(seed);
    gan::load_generator(model, *g);
    if (eval) g->eval();
    else g->train();
    return g;
}

// The prediction for one image: input 0..1 → output 0..1 (or both in [−1, 1] when raw).
template <class G>
std::vector<float> predict_image(G& g, const gan::DynamicTensor<float>& image, const fs::path& source, bool raw) {
    typename G::input_type x(1);
    typename G::output_type y;
    put_image(image, x, 0, source, raw);
    g.forward(x, y);
    std::vector<float> out(y.size());
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = raw ? y[i] : gan::from_network_range(y[i]);
    return out;
}

}  // namespace lacbed

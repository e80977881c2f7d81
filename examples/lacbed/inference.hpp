#pragma once
// Loading a trained generator and running it on single images, shared by predict and evaluate.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gan/core/autocast.hpp>
#include <gan/train/checkpoint.hpp>

#include "configurations.hpp"
#include "images.hpp"

namespace lacbed {

// A trained generator, read-only, with what its inference passes need.
template <class G>
struct Predictor {
    // The reference's test protocol keeps batch statistics (each image normalised by its own)
    // and dropout; eval uses the running statistics without dropout.
    // bfloat16: the convolutions on bfloat16 operands (gan::Autocast: lower precision, faster on
    // processors with AMX).
    Predictor(const fs::path& model, bool eval, std::uint64_t seed, bool bfloat16 = false)
        : generator(std::make_unique<G>()),
          context(seed),
          options(eval ? gan::InferenceOptions::eval() : gan::InferenceOptions::reference_test_protocol()),
          precision(bfloat16 ? gan::ProductPrecision::bfloat16 : gan::ProductPrecision::float32) {
        gan::load_generator(model, *generator);
    }

    // The prediction for one image: input 0..1 → output 0..1 (or both in [−1, 1] when raw).
    std::vector<float> operator()(const gan::DynamicTensor<float>& image, const fs::path& source, bool raw) {
        typename G::input_type x(1);
        typename G::output_type y;
        put_image(image, x, 0, source, raw);
        {
            const gan::Autocast products(precision);
            std::as_const(*generator).forward(x, y, context, options);
        }
        std::vector<float> out(y.size());
        for (std::size_t i = 0; i < out.size(); ++i) out[i] = raw ? y[i] : gan::from_network_range(y[i]);
        return out;
    }

    std::unique_ptr<G> generator;
    typename G::InferenceContext context;
    gan::InferenceOptions options;
    gan::ProductPrecision precision;
};

}  // namespace lacbed

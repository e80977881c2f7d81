// Our side of the comparison harness (benchmarks/compare): one case per process, so peak RSS
// belongs to that case alone.
//   gan_harness_pix2pix --size 128|256 --mode infer|train --threads N --runs R --warmup W
// infer:      the const generator pass with an InferenceContext in eval mode (BatchNorm with
//             running statistics, no dropout; PyTorch's eval()), batch 1. What all three sides
//             compute (dlib normalises a batch of one with running statistics).
// infer-test: the same pass in pix2pix's test protocol (training-mode BatchNorm, dropout on).
// infer-bf16: infer under gan::Autocast: the convolutions' operands in bfloat16 (lower precision).
// train: one Pix2Pix::train_step at batch 1 (G forward, D on fake and real, both backward
//        passes, both Adam steps).
// train-bf16: the same with Adam's moments in bfloat16 (AdamMoments::bfloat16, lower precision).
// train-autocast: train under gan::Autocast: the large convolutions' products (forward and both
//                 gradients) on bfloat16 operands, Adam's moments float32 (lower precision).
// Prints one JSON line (see harness_common.hpp); the bfloat16 modes name the arithmetic their
// products ran on ("bf16_arithmetic": amx_tiles, dot_products or widened).
#include <gan/gan.hpp>
#include <gan/models/init.hpp>
#include <gan/models/unet.hpp>
#include <gan/train/pix2pix.hpp>
#include <tbb/global_control.h>

#include <memory>
#include <string>

#include "harness_common.hpp"

namespace {

// Nominal FLOPs of one training step: every network pass forward once and backward at twice
// the forward (data and weight gradients): 3 × (G + 3 D). The same figure is used for every side.
template <class G>
double train_gflop() {
    using D = gan::DefaultDiscriminator<G>;
    return 3.0 * (double(G::flops) + 3.0 * double(D::flops)) * 1e-9;
}

// The arithmetic of gan::Autocast's products on this machine (kernels/cpu/gemm_bf16.hpp), for
// the bfloat16 rows: "bf16_arithmetic" in the JSON line.
std::string bf16_arithmetic() {
    return std::string("\"bf16_arithmetic\": \"") + gan::kernels::to_string(gan::kernels::default_bf16_arithmetic()) + "\"";
}

template <class G>
int run(const harness::Args& args) {
    gan::Random data(7);
    typename G::input_type a(1);
    typename G::output_type b(1), prediction;
    gan::fill_uniform(a, -1, 1, data);
    gan::fill_uniform(b, -1, 1, data);
    if (args.mode == "infer" || args.mode == "infer-test" || args.mode == "infer-bf16") {
        // The generator alone, so that peak RSS is what an embedding code pays.
        auto generator = std::make_unique<G>(2026);
        gan::Random init(2026);
        gan::init_pix2pix(*generator, init);
        const G& g = *generator;
        typename G::InferenceContext context(1);
        const auto options =
            args.mode == "infer-test" ? gan::InferenceOptions::reference_test_protocol() : gan::InferenceOptions::eval();
        const gan::Autocast precision(args.mode == "infer-bf16" ? gan::ProductPrecision::bfloat16
                                                                : gan::ProductPrecision::float32);
        const auto s = harness::sample(args, [&] { g.forward(a, prediction, context, options); });
        harness::report("gan", args, s, double(G::flops) * 1e-9, args.mode == "infer-bf16" ? bf16_arithmetic() : "");
        return 0;
    }
    const bool bf16 = args.mode == "train-bf16";
    auto model = std::make_unique<gan::Pix2Pix<G>>(gan::Pix2PixOptions{
        .seed = 2026, .adam_moments = bf16 ? gan::AdamMoments::bfloat16 : gan::AdamMoments::full});
    if (args.mode == "train" || bf16 || args.mode == "train-autocast") {
        const gan::Autocast precision(args.mode == "train-autocast" ? gan::ProductPrecision::bfloat16
                                                                    : gan::ProductPrecision::float32);
        gan::Pix2PixLosses losses;
        const auto s = harness::sample(args, [&] { losses = model->train_step(a, b); });
        if (!losses.finite()) return 1;
        harness::report("gan", args, s, train_gflop<G>(), args.mode == "train-autocast" ? bf16_arithmetic() : "");
    } else {
        std::fprintf(stderr, "--mode must be infer, infer-test, infer-bf16, train, train-bf16 or train-autocast\n");
        return 2;
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const auto args = harness::parse(argc, argv);
    tbb::global_control threads(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(args.threads));
    if (args.size == 128) return run<gan::UNet<7, 64>>(args);
    if (args.size == 256) return run<gan::UNet<8, 64>>(args);
    std::fprintf(stderr, "--size must be 128 or 256\n");
    return 2;
}

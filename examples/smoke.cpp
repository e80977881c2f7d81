// A quick timing run: the published network configuration (pix2pix's unet_128 against the 70×70
// PatchGAN, 1 → 1 channels, 128×128) initialised as the reference does, timed for inference and
// for full training iterations on random data. `gan_smoke [repeats]`; the side-by-side comparison
// with PyTorch is the benchmark harness's job.
#include <gan/gan.hpp>
#include <gan/models/init.hpp>
#include <gan/models/unet.hpp>
#include <gan/train/pix2pix.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

namespace {

template <class F>
double median_ms(int repeats, F&& f) {
    std::vector<double> ms;
    for (int i = 0; i < repeats; ++i) {
        const auto start = std::chrono::steady_clock::now();
        f();
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(ms.begin(), ms.end());
    return ms[ms.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
    const int repeats = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
    using G = gan::UNet<7, 64>;
    auto model = std::make_unique<gan::Pix2Pix<G>>(gan::Pix2PixOptions{.seed = 2026});
    std::printf("gan %s: %s, %lld parameters, %.3f GFLOP per image\n", gan::version_string, G::description().c_str(),
                G::parameter_count, G::flops * 1e-9);

    gan::Random data(7);
    G::input_type a(1);
    G::output_type b(1), prediction;
    gan::fill_uniform(a, -1, 1, data);
    gan::fill_uniform(b, -1, 1, data);

    // Inference as an embedding code runs it: the const pass with a context of its own.
    const G& generator = model->generator();
    G::InferenceContext context(1);
    generator.forward(a, prediction, context);  // warm-up: first-touch of every buffer
    const double inference = median_ms(repeats, [&] { generator.forward(a, prediction, context); });
    std::printf("inference, batch 1:        median %8.2f ms  (%.1f GFLOP/s)\n", inference, G::flops * 1e-6 / inference);

    model->train_step(a, b);
    gan::Pix2PixLosses losses;
    const double step = median_ms(repeats, [&] { losses = model->train_step(a, b); });
    std::printf("training iteration, batch 1: median %8.2f ms  (G_GAN %.3f, G_L1 %.3f, D_real %.3f, D_fake %.3f)\n", step,
                losses.g_gan, losses.g_l1, losses.d_real, losses.d_fake);
    return losses.finite() ? 0 : 1;
}

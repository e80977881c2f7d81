#pragma once
// gan::Autocast: runs convolutions with bfloat16 operands, as PyTorch's
// torch.autocast(device_type="cpu", dtype=torch.bfloat16) does, while the guard lives:
//
//   {
//       gan::Autocast bfloat16;       // this thread's convolutions, until the end of the scope
//       generator.forward(x, y, context, gan::InferenceOptions::eval());
//       model.train_step(a, b);       // or a training step (gan::Pix2Pix), or gan::fit
//   }
//
// LOWER PRECISION, by request only: each weight and each input value of a convolution is rounded
// to bfloat16 (8 significant bits, a relative error up to 2^-9) before its product; the products
// are exact and summed in float32, and everything between the convolutions (norms, activations,
// bias) stays float32. Through pix2pix's U-Net that moves the output by an RMS of about 0.5 % of
// its own (docs/models-and-training.md). In return, on processors with AMX-BF16 (Intel Xeon since
// Sapphire Rapids) the products run on the tile units, several times faster, and the deep layers
// read half the weight bytes; elsewhere the same products take float FMAs on widened values, at
// about float32's speed or below (0.85–1.0 of it through a 128 × 128 U-Net with AVX-512, half in
// products built for AVX2): there the guard buys nothing but the rounding
// (kernels/cpu/gemm_bf16.hpp).
//
// What it covers: the const (inference) passes of Conv2d and ConvTranspose2d, and so UNet's and
// PatchGAN's, all of them; their training passes (forward, input gradient, weight gradient) on
// images of 128 pixels or more (detail::bfloat16_trains: the weights change every step and are
// rounded again each time, which smaller images' products do not repay). Parameters, gradients
// and the optimiser stay float32 (Adam's moments have their own option, AdamMoments). A backward
// pass follows the guard in force when it is called, not the forward pass's.
//
// The setting is the calling thread's, as PyTorch's; guards nest and restore the previous setting.
#include <utility>

#include "gan/version.hpp"

GAN_NAMESPACE_BEGIN

enum class ProductPrecision { float32, bfloat16 };

class Autocast {
public:
    explicit Autocast(ProductPrecision precision = ProductPrecision::bfloat16) noexcept
        : previous_(std::exchange(current(), precision)) {}
    ~Autocast() { current() = previous_; }
    Autocast(const Autocast&) = delete;
    Autocast& operator=(const Autocast&) = delete;

    // The precision of this thread's convolutions now.
    static ProductPrecision precision() noexcept { return current(); }

private:
    static ProductPrecision& current() noexcept {
        thread_local ProductPrecision precision = ProductPrecision::float32;
        return precision;
    }
    ProductPrecision previous_;
};

GAN_NAMESPACE_END

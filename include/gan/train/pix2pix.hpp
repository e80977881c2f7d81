#pragma once
// gan::Pix2Pix: the pix2pix objective and one training iteration, as the reference does it
// (pix2pix_model.py optimize_parameters):
//   1. fake = G(a)
//   2. D step:  loss_D = ½ [GAN(D(a, fake), real = false) + GAN(D(a, b), real = true)],  Adam on D
//   3. G step:  loss_G = GAN(D(a, fake), real = true) + λ · mean|fake − b|,              Adam on G
// GAN is BCE-with-logits on the patch map (vanilla, pix2pix's choice) or MSE (LSGAN). The G
// step's pass through D updates D's BatchNorm running statistics but not its weights, as in
// the reference (D's gradients from it are discarded before the next D step).
//
// Images enter and leave in the networks' range [−1, 1]; see gan::to_network_range.
#include <cmath>
#include <cstdint>
#include <string>

#include "gan/core/error.hpp"
#include "gan/core/random.hpp"
#include "gan/core/shape.hpp"
#include "gan/kernels/elementwise.hpp"
#include "gan/layers/concat.hpp"
#include "gan/losses/bce_with_logits.hpp"
#include "gan/losses/l1.hpp"
#include "gan/losses/mse.hpp"
#include "gan/models/init.hpp"
#include "gan/models/patchgan.hpp"
#include "gan/optim/adam.hpp"

GAN_NAMESPACE_BEGIN

enum class GanLoss { vanilla, lsgan };

inline const char* to_string(GanLoss loss) { return loss == GanLoss::vanilla ? "vanilla" : "lsgan"; }

struct Pix2PixOptions {
    double lr = 2e-4;
    double beta1 = 0.5;
    double beta2 = 0.999;
    double lambda_l1 = 100.0;
    GanLoss gan_loss = GanLoss::vanilla;
    double init_gain = 0.02;   // weights ~ N(0, gain)
    std::uint64_t seed = 0;    // initial weights and dropout masks
    // Adam updates the generator's convolution weights during its backward pass (bit-identical,
    // and their 160 MiB of gradients at 128 × 128 never exist; see Adam::step_in_backward).
    // Off: the generator keeps its gradients, to read them after train_step.
    bool g_step_in_backward = true;
    // Both optimisers' moments in bfloat16: a lower-precision option (not the reference's update
    // bit for bit) that takes half of the optimiser state off, 160 MiB at 128 × 128 (see
    // AdamMoments).
    AdamMoments adam_moments = AdamMoments::full;
};

// The four losses the reference logs, per iteration.
struct Pix2PixLosses {
    double g_gan = 0, g_l1 = 0, d_real = 0, d_fake = 0;
    bool finite() const { return std::isfinite(g_gan) && std::isfinite(g_l1) && std::isfinite(d_real) && std::isfinite(d_fake); }
};

// The discriminator pix2pix pairs with a generator: the 70×70 PatchGAN over cat(input, output).
template <class G>
using DefaultDiscriminator = PatchGAN<3, 64, G::in_channels + G::out_channels, typename G::norm, typename G::backend,
                                      typename G::scalar, G::height, G::width>;

template <class G, class D = DefaultDiscriminator<G>>
class Pix2Pix {
public:
    using generator_type = G;
    using discriminator_type = D;
    using T = typename G::scalar;
    using B = typename G::backend;
    using input_type = typename G::input_type;
    using output_type = typename G::output_type;
    using pair_shape = concat_output_t<typename G::input_shape, typename G::output_shape>;
    static_assert(expect_shape<typename D::input_shape, pair_shape>,
                  "gan::Pix2Pix: the discriminator must take cat(generator input, generator output)");

    explicit Pix2Pix(Pix2PixOptions options = {})
        : options_(options),
          generator_(options.seed),
          optimizer_g_(adam_options(options)),
          optimizer_d_(adam_options(options)) {
        if (!(options.lambda_l1 >= 0))
            throw invalid_argument("gan::Pix2Pix: lambda_l1 must be >= 0; got " + std::to_string(options.lambda_l1));
        Random init(options.seed);
        init_pix2pix(generator_, init, options.init_gain);
        init_pix2pix(discriminator_, init, options.init_gain);
        optimizer_g_.add(generator_);
        optimizer_d_.add(discriminator_);
        // Not D: its step sums the gradients of two backward passes (fake and real pairs).
        optimizer_g_.step_in_backward(options.g_step_in_backward);
    }
    // The optimisers hold pointers into the networks: a Pix2Pix stays where it was made.
    Pix2Pix(const Pix2Pix&) = delete;
    Pix2Pix& operator=(const Pix2Pix&) = delete;

    // One iteration on a batch of pairs (a, b), both in [−1, 1].
    Pix2PixLosses train_step(const input_type& a, const output_type& b) {
        if (a.batch() != b.batch())
            throw shape_error("gan::Pix2Pix::train_step: " + std::to_string(a.batch()) + " inputs but " +
                              std::to_string(b.batch()) + " targets; give one target per input");
        Pix2PixLosses losses;
        generator_.forward(a, fake_);

        // D step: fake pairs, then real pairs, each half of the loss.
        discriminator_.zero_grad();
        pair_.forward(a, fake_, d_input_);
        discriminator_.forward(d_input_, logits_);
        losses.d_fake = gan_loss(logits_, false);
        backward_d_parameters(half_());
        pair_.forward(a, b, d_input_);
        discriminator_.forward(d_input_, logits_);
        losses.d_real = gan_loss(logits_, true);
        backward_d_parameters(half_());
        optimizer_d_.step();

        // G step: fool D, and stay close to b.
        pair_.forward(a, fake_, d_input_);
        discriminator_.forward(d_input_, logits_);
        losses.g_gan = gan_loss(logits_, true);
        // D is frozen here (the reference's set_requires_grad(netD, False)): only the gradient
        // with respect to its input is needed, which skips a third of D's backward work.
        if constexpr (requires { discriminator_.backward_input(logits_grad_, d_input_grad_); })
            discriminator_.backward_input(logits_grad_, d_input_grad_);
        else
            discriminator_.backward(logits_grad_, d_input_grad_);
        pair_.backward(d_input_grad_, unused_input_grad_, fake_grad_);
        losses.g_l1 = double(l1_loss(fake_, b, l1_grad_));
        kernels::axpy(B{}, T(options_.lambda_l1), l1_grad_.data(), fake_grad_.data(), fake_grad_.size());
        generator_.zero_grad();
        generator_.backward(fake_grad_);
        optimizer_g_.step();
        return losses;
    }

    // The generator's output for a (in [−1, 1]), in whatever mode the generator is in.
    void predict(const input_type& a, output_type& out) { generator_.forward(a, out); }
    // The fake images of the last train_step.
    const output_type& last_fake() const noexcept { return fake_; }

    G& generator() noexcept { return generator_; }
    D& discriminator() noexcept { return discriminator_; }
    Adam<T, B>& optimizer_g() noexcept { return optimizer_g_; }
    Adam<T, B>& optimizer_d() noexcept { return optimizer_d_; }
    const Pix2PixOptions& options() const noexcept { return options_; }

    // Both optimisers follow one schedule.
    void set_lr(double lr) {
        optimizer_g_.set_lr(lr);
        optimizer_d_.set_lr(lr);
    }

private:
    static AdamOptions adam_options(const Pix2PixOptions& o) {
        return {.lr = o.lr, .beta1 = o.beta1, .beta2 = o.beta2, .moments = o.adam_moments};
    }
    // The D step needs D's parameter gradients, not the gradient with respect to its input.
    void backward_d_parameters(const typename D::output_type& dy) {
        if constexpr (requires { discriminator_.backward_parameters(dy, d_input_grad_); })
            discriminator_.backward_parameters(dy, d_input_grad_);
        else
            discriminator_.backward(dy, d_input_grad_);
    }
    double gan_loss(const typename D::output_type& logits, bool real) {
        const T target = real ? T(1) : T(0);
        return double(options_.gan_loss == GanLoss::vanilla ? bce_with_logits(logits, target, logits_grad_)
                                                            : mse_loss(logits, target, logits_grad_));
    }
    // ½ · the last loss gradient: each D term carries half the weight.
    const typename D::output_type& half_() {
        half_grad_.resize(logits_grad_.batch());
        half_grad_.zero();
        kernels::axpy(B{}, T(0.5), logits_grad_.data(), half_grad_.data(), half_grad_.size());
        return half_grad_;
    }

    Pix2PixOptions options_;
    G generator_;
    D discriminator_;
    Adam<T, B> optimizer_g_;
    Adam<T, B> optimizer_d_;
    Concat<T, typename G::input_shape, typename G::output_shape, B> pair_;

    output_type fake_, fake_grad_, l1_grad_;
    typename D::input_type d_input_, d_input_grad_;
    typename D::output_type logits_, logits_grad_, half_grad_;
    input_type unused_input_grad_;
};

GAN_NAMESPACE_END

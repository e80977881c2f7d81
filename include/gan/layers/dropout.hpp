#pragma once
// Dropout (inverted, as PyTorch): while enabled, each element is zeroed with probability p and
// the others are scaled by 1/(1 − p); disabled, it is the identity.
//
// train()/eval() switch it on and off as in PyTorch, and enable(bool) switches it alone, so a
// network can keep dropout active while its norms use running statistics or the other way
// round (pix2pix's test protocol keeps dropout on). The mask comes from a seeded Philox stream (gan::Random), so a
// run is reproducible; set_mask() fixes the mask instead (to compare with another
// implementation, or to check gradients).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "gan/core/random.hpp"
#include "gan/core/scratch.hpp"
#include "gan/core/shape.hpp"
#include "gan/core/tensor.hpp"
#include "gan/kernels/elementwise.hpp"
#include "gan/layers/checks.hpp"

GAN_NAMESPACE_BEGIN

template <Scalar T, ShapeType In, Backend B = cpu>
class Dropout {
public:
    using input_shape = In;
    using output_shape = In;
    using input_type = Tensor<T, In, B>;
    using output_type = Tensor<T, In, B>;

    explicit Dropout(double p = 0.5, Random rng = Random(0)) : p_(p), rng_(rng) {
        if (!(p >= 0.0 && p < 1.0))
            throw invalid_argument("gan::Dropout: the drop probability must be in [0, 1); got " + std::to_string(p));
    }

    void forward(const input_type& x, output_type& y) {
        detail::check_nonempty("Dropout", x.batch());
        y.resize(x.batch());
        if (!enabled_) {
            applied_ = false;
            if (y.data() != x.data()) B::copy(y.data(), x.data(), x.bytes());
            return;
        }
        applied_ = true;
        if (fixed_mask_) {
            if (mask_.batch() != x.batch())
                throw shape_error("gan::Dropout::forward: the mask given to set_mask() has batch size " +
                                  std::to_string(mask_.batch()) + " but the input has " + std::to_string(x.batch()) +
                                  "; give a mask of the input's batch size or call clear_mask()");
        } else {
            mask_.resize(x.batch());
            const std::uint64_t first = rng_.reserve((x.size() + 1) / 2);
            kernels::dropout_mask(B{}, rng_.seed(), first, p_, mask_.data(), mask_.size());
        }
        kernels::multiply(B{}, x.data(), mask_.data(), y.data(), x.size());
        forward_batch_ = x.batch();
    }

    // The inference pass: drops units with masks drawn from `rng` (the caller's stream, so
    // concurrent callers do not share one), or passes x through when rng is null.
    void forward(const input_type& x, output_type& y, Scratch<B>& scratch, Random* rng) const {
        detail::check_nonempty("Dropout", x.batch());
        y.resize(x.batch());
        if (!rng) {
            if (y.data() != x.data()) B::copy(y.data(), x.data(), x.bytes());
            return;
        }
        T* mask = scratch.template take<T>(x.size());
        const InferenceMask drawn = reserve_mask(*rng, x.batch());
        kernels::dropout_mask(B{}, drawn.stream.seed(), drawn.first_block, drawn.p, mask, x.size());
        kernels::multiply(B{}, x.data(), mask, y.data(), x.size());
    }

    // The mask of an inference pass that applies it itself, a stretch at a time (UNetBlock fuses
    // dropout into its up path's channel pass): the one forward(x, y, scratch, &rng) would draw
    // for a batch of `batch`, reserved from rng in the same way.
    struct InferenceMask {
        Random stream;
        std::uint64_t first_block;
        double p;
        // Elements [begin, end) of the mask (all samples in order) into out[0, end − begin).
        void draw(std::size_t begin, std::size_t end, T* out) const {
            kernels::dropout_mask_stretch(stream, first_block, p, begin, end, out);
        }
    };
    InferenceMask reserve_mask(Random& rng, std::size_t batch) const {
        return {Random(rng.seed()), rng.reserve((batch * In::size + 1) / 2), p_};
    }

    void backward(const output_type& dy, input_type& dx) {
        dx.resize(dy.batch());
        if (!applied_) {
            if (dx.data() != dy.data()) B::copy(dx.data(), dy.data(), dy.bytes());
            return;
        }
        detail::check_backward_batch("Dropout", forward_batch_, dy.batch());
        kernels::multiply(B{}, dy.data(), mask_.data(), dx.data(), dy.size());
    }

    // The mask multiplies the input: 0 where an element is dropped, 1/(1 − p) where kept.
    void set_mask(const output_type& mask) {
        mask_ = mask;
        fixed_mask_ = true;
    }
    void clear_mask() noexcept { fixed_mask_ = false; }
    const output_type& mask() const noexcept { return mask_; }

    void enable(bool on = true) noexcept { enabled_ = on; }
    bool enabled() const noexcept { return enabled_; }
    double p() const noexcept { return p_; }
    // The stream the masks come from; save and restore (seed, position) to resume a run exactly.
    Random& random() noexcept { return rng_; }

    template <class F>
    void visit_parameters(F&&) const {}
    template <class F>
    void visit_buffers(F&&) const {}
    void zero_grad() noexcept {}
    void train() noexcept { enabled_ = true; }
    void eval() noexcept { enabled_ = false; }

private:
    double p_;
    Random rng_;
    bool enabled_ = true;
    bool applied_ = false;
    bool fixed_mask_ = false;
    std::size_t forward_batch_ = 0;
    output_type mask_;
};

GAN_NAMESPACE_END

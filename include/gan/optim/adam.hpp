#pragma once
// Adam (Kingma & Ba) with PyTorch's update rule, bias correction included, and optional L2
// weight decay added to the gradient (torch.optim.Adam's weight_decay, not AdamW).
//
//   gan::Adam<float> opt({.lr = 2e-4, .beta1 = 0.5});   // pix2pix
//   opt.add(generator);            // after each backward pass:  opt.step();  opt.zero_grad();
//
// With step_in_backward(true), the parameters whose gradients a backward pass writes in whole
// (the convolutions' weights: all but about 9 000 of a 128 × 128 U-Net's 41.8 M) are updated
// during the backward pass instead, each as soon as its gradient is complete; see
// step_in_backward().
//
// The state is visible for checkpoints: steps() (PyTorch's per-parameter "step", equal for all
// parameters here) and, per parameter, "<name>.exp_avg" and "<name>.exp_avg_sq" through
// visit_state() (or visit_stored_state(), see below).
//
// With AdamOptions::moments = AdamMoments::bfloat16 the two moments are stored in 16 bits
// (lower precision, not PyTorch's rule bit for bit): the optimiser's state halves, 160 MiB less
// for a 128 × 128 U-Net, and the update reads and writes fewer bytes. See AdamMoments.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "gan/core/bfloat16.hpp"
#include "gan/core/error.hpp"
#include "gan/kernels/optim.hpp"
#include "gan/layers/parameter.hpp"
#include "gan/optim/parameter_list.hpp"

GAN_NAMESPACE_BEGIN

// How Adam stores its two moments (exp_avg, exp_avg_sq).
enum class AdamMoments {
    // In the parameters' type: PyTorch's update, bit for bit.
    full,
    // bfloat16, a LOWER-PRECISION option: each step widens the moments, updates them and the
    // parameter in full precision, and stores them back stochastically rounded (unbiased; see
    // core/bfloat16.hpp), with random bits hashed from the step, the parameter and the element,
    // so training stays deterministic and resumes bit-identically from a checkpoint. Round to
    // nearest would not do: with β2 = 0.999 the second moment changes by 0.1 % a step, less than
    // half of bfloat16's spacing (0.4–0.8 %), and would never decay. CPU backend.
    bfloat16,
};

inline const char* to_string(AdamMoments m) { return m == AdamMoments::full ? "full" : "bfloat16"; }

struct AdamOptions {
    double lr = 1e-3;
    double beta1 = 0.9;
    double beta2 = 0.999;
    double eps = 1e-8;
    double weight_decay = 0;
    AdamMoments moments = AdamMoments::full;
};

template <Scalar T, Backend B = cpu>
class Adam : private GradientSink<T, B> {
public:
    explicit Adam(AdamOptions options = {}) : options_(options) {
        if (!(options.lr >= 0) || !(options.eps >= 0) || !(options.weight_decay >= 0) || !(options.beta1 >= 0 && options.beta1 < 1) ||
            !(options.beta2 >= 0 && options.beta2 < 1))
            throw invalid_argument("gan::Adam: need lr, eps, weight_decay >= 0 and betas in [0, 1); got lr " +
                                   std::to_string(options.lr) + ", betas (" + std::to_string(options.beta1) + ", " +
                                   std::to_string(options.beta2) + ")");
    }

    // The parameters keep a pointer to an Adam that steps in backward: it stays where it was made.
    Adam(const Adam&) = delete;
    Adam& operator=(const Adam&) = delete;
    // With step_in_backward on, hands the gradients back, which needs the modules: declare the
    // Adam after them. Off, it touches no parameter (the modules may be gone already).
    ~Adam() {
        if (in_backward_) release_gradients();
    }

    template <class Module>
    void add(Module& module, std::string_view prefix = "") {
        const std::size_t first = parameters_.size();
        parameters_.add(module, prefix);
        for (std::size_t i = first; i < parameters_.size(); ++i) {
            const auto& shape = parameters_[i].parameter->shape();
            if (bfloat16_moments()) {
                exp_avg_bf16_.emplace_back(shape);
                exp_avg_sq_bf16_.emplace_back(shape);
            } else {
                exp_avg_.emplace_back(shape);
                exp_avg_sq_.emplace_back(shape);
            }
            updated_in_backward_.push_back(false);
            if (in_backward_) take_gradient(i);
        }
    }

    // One update of every parameter from its accumulated gradient (with step_in_backward: of the
    // parameters that the backward pass did not update already).
    void step() {
        flush();
        ++steps_;
        for (std::size_t i = 0; i < parameters_.size(); ++i) {
            Parameter<T, B>& p = *parameters_[i].parameter;
            if (!p.gradient_sunk())
                update(steps_, i, p.grad().data());
            else if (!updated_in_backward_[i])
                update(steps_, i, zero_gradient(p.size()));  // no backward pass reached it: as a zero gradient
            updated_in_backward_[i] = false;
        }
    }
    void zero_grad() { parameters_.zero_grad(); }

    // On: each parameter whose gradient a backward pass writes in whole (a convolution's weight)
    // is updated during that pass, as soon as the pass has moved on from its layer, from a buffer
    // lent to one parameter after the other, or, for the deep layers' weights, slice by slice as
    // their gradients are computed (begin_slices): the gradients never all exist at once (at
    // 128 × 128, pix2pix's generator holds 160 MiB of them; the lent buffer is 4 MiB), and each
    // is still in cache when Adam reads it. step() then updates the other parameters.
    // The result is bit-identical to backward() then step(). What it costs: every backward pass
    // is a step for those parameters, so call step() after each one (no gradient accumulation;
    // a second pass before step() throws gan::usage_error), and their gradients cannot be read
    // (grad() throws). Off: the parameters get their own gradients back, starting from zero.
    void step_in_backward(bool on) {
        if (on == in_backward_) return;
        if (pending_ != none || std::find(updated_in_backward_.begin(), updated_in_backward_.end(), true) !=
                                    updated_in_backward_.end())
            throw usage_error("gan::Adam::step_in_backward: a backward pass has updated parameters of a step that "
                              "step() has not finished; call step() first");
        in_backward_ = on;
        if (on) {
            for (std::size_t i = 0; i < parameters_.size(); ++i) take_gradient(i);
        } else {
            release_gradients();
            lent_ = Array<T, B>();
        }
    }
    bool steps_in_backward() const noexcept { return in_backward_; }

    double lr() const noexcept { return options_.lr; }
    // For schedules: the learning rate of the following steps.
    void set_lr(double lr) { options_.lr = lr; }
    const AdamOptions& options() const noexcept { return options_; }
    const ParameterList<T, B>& parameters() const noexcept { return parameters_; }

    std::int64_t steps() const noexcept { return steps_; }
    void set_steps(std::int64_t steps) noexcept { steps_ = steps; }
    // f("<parameter>.exp_avg", Array<T, B>&) and f("<parameter>.exp_avg_sq", Array<T, B>&) for
    // each parameter. bfloat16 moments are widened into a temporary for f and rounded back to
    // nearest after it, so f may read and write them as values of T (a read-only visit changes
    // no bit). Checkpoints use visit_stored_state, which keeps them 16-bit.
    template <class F>
    void visit_state(F&& f) {
        visit_stored_state([&](const std::string& key, auto& stored) {
            if constexpr (std::is_same_v<std::decay_t<decltype(stored)>, Array<bfloat16, B>>) visit_widened(f, key, stored);
            else f(key, stored);
        });
    }
    // The same names with the arrays as stored: Array<T, B>&, or Array<bfloat16, B>& with
    // bfloat16 moments, so f must take both (a generic lambda).
    template <class F>
    void visit_stored_state(F&& f) {
        for (std::size_t i = 0; i < parameters_.size(); ++i) {
            const std::string& name = parameters_[i].name;
            if (bfloat16_moments()) {
                f(name + ".exp_avg", exp_avg_bf16_[i]);
                f(name + ".exp_avg_sq", exp_avg_sq_bf16_[i]);
            } else {
                f(name + ".exp_avg", exp_avg_[i]);
                f(name + ".exp_avg_sq", exp_avg_sq_[i]);
            }
        }
    }

private:
    static constexpr std::size_t none = std::size_t(-1);

    kernels::AdamStep scalars(std::int64_t step) const {
        const double t = double(step);
        return {options_.lr, options_.beta1, options_.beta2, options_.eps, options_.weight_decay,
                options_.lr / (1 - std::pow(options_.beta1, t)), std::sqrt(1 - std::pow(options_.beta2, t))};
    }
    bool bfloat16_moments() const noexcept { return options_.moments == AdamMoments::bfloat16; }
    template <class F>
    void visit_widened(F& f, const std::string& key, Array<bfloat16, B>& stored) {
        if constexpr (B::host_accessible) {
            Array<T, B> wide(stored.shape());
            for (std::size_t k = 0; k < stored.size(); ++k) wide[k] = T(stored[k].to_float());
            f(key, wide);
            for (std::size_t k = 0; k < stored.size(); ++k) stored[k] = bfloat16::nearest(float(wide[k]));
        } else {
            throw usage_error("gan::Adam::visit_state: bfloat16 moments on the " + std::string(B::name) +
                              " backend: use visit_stored_state");
        }
    }
    void update(std::int64_t step, std::size_t i, const T* grad) {
        const kernels::AdamStep s = scalars(step);
        Parameter<T, B>& p = *parameters_[i].parameter;
        if (bfloat16_moments())
            kernels::adam_update(B{}, s, p.value().data(), grad, exp_avg_bf16_[i].data(), exp_avg_sq_bf16_[i].data(),
                                 p.size(), rounding_key(step, i));
        else
            kernels::adam_update(B{}, s, p.value().data(), grad, exp_avg_[i].data(), exp_avg_sq_[i].data(), p.size());
    }
    // The stochastic rounding's key: a new one for every step and parameter.
    static std::uint32_t rounding_key(std::int64_t step, std::size_t parameter) noexcept {
        return mix32(std::uint32_t(step) * 0x9E3779B9u ^ mix32(std::uint32_t(parameter) + 0x632BE5ABu));
    }
    void take_gradient(std::size_t i) {
        Parameter<T, B>& p = *parameters_[i].parameter;
        if (p.gradient_written_whole()) p.set_gradient_sink(this);
    }
    void release_gradients() {
        for (const auto& e : parameters_)
            if (e.parameter->gradient_sunk()) e.parameter->set_gradient_sink(nullptr);
    }
    // The lent buffer, as large as the largest parameter lent so far: it grows during the first
    // step and then allocates nothing. The largest weights take their gradients slice by slice
    // (begin_slices) and are never lent, so this stays far below them (4 MiB for a 128 × 128
    // U-Net, whose largest weight is 32 MiB).
    T* lent_buffer(std::size_t n) {
        if (lent_.size() < n) lent_ = Array<T, B>({n});
        return lent_.data();
    }
    const T* zero_gradient(std::size_t n) {
        T* g = lent_buffer(n);
        B::zero(g, n * sizeof(T));
        return g;
    }

    // The backward pass has moved on to parameter p: the previous one's gradient is complete and
    // its layer is done with its value.
    T* lend(Parameter<T, B>& p) override {
        pending_ = start_update(p);
        return lent_buffer(p.size());
    }
    // The same update, slice by slice while the backward pass computes the gradient (on the CPU):
    // the gradient never exists whole, nor goes to memory and back.
    bool begin_slices(Parameter<T, B>& p) override {
        if constexpr (!std::is_same_v<B, cpu>) {
            return false;
        } else {
            const std::size_t i = start_update(p);
            slices_ = {i, scalars(steps_ + 1), p.value().data(), rounding_key(steps_ + 1, i)};
            return true;
        }
    }
    void update_slice(const T* grad, std::size_t first, std::size_t count) override {
        if constexpr (std::is_same_v<B, cpu>) {
            const std::size_t i = slices_.parameter;
            if (bfloat16_moments())
                kernels::adam_update_slice(B{}, slices_.step, slices_.value, grad, exp_avg_bf16_[i].data(),
                                           exp_avg_sq_bf16_[i].data(), first, count, slices_.rounding_key);
            else
                kernels::adam_update_slice(B{}, slices_.step, slices_.value, grad, exp_avg_[i].data(),
                                           exp_avg_sq_[i].data(), first, count);
        }
    }
    void end_slices() override {
        updated_in_backward_[slices_.parameter] = true;
        slices_ = {};
    }
    // The backward pass has moved on to parameter p (see lend); returns p's index.
    std::size_t start_update(Parameter<T, B>& p) {
        flush();
        const std::size_t i = index_of(p);
        if (updated_in_backward_[i])
            throw usage_error("gan::Adam: parameter '" + parameters_[i].name +
                              "' got a second gradient before step(); with step_in_backward, each backward pass is a "
                              "step for it: call step() after every backward pass, or turn step_in_backward off to "
                              "accumulate gradients");
        return i;
    }
    std::size_t index_of(const Parameter<T, B>& p) const {
        for (std::size_t i = 0; i < parameters_.size(); ++i)
            if (parameters_[i].parameter == &p) return i;
        throw usage_error("gan::Adam: a parameter " + p.shape_str() + " that this optimiser does not hold asked it "
                          "for a gradient buffer");
    }
    void flush() {
        if (pending_ == none) return;
        update(steps_ + 1, pending_, lent_.data());
        updated_in_backward_[pending_] = true;
        pending_ = none;
    }

    AdamOptions options_;
    ParameterList<T, B> parameters_;
    std::vector<Array<T, B>> exp_avg_, exp_avg_sq_;                    // AdamMoments::full
    std::vector<Array<bfloat16, B>> exp_avg_bf16_, exp_avg_sq_bf16_;   // AdamMoments::bfloat16
    std::int64_t steps_ = 0;
    bool in_backward_ = false;
    std::vector<bool> updated_in_backward_;  // in the step under way
    std::size_t pending_ = none;             // whose gradient is in lent_, not yet applied
    struct Slices {                          // the parameter updated slice by slice, if any
        std::size_t parameter = none;
        kernels::AdamStep step{};
        T* value = nullptr;
        std::uint32_t rounding_key = 0;
    } slices_;
    Array<T, B> lent_;
};

GAN_NAMESPACE_END

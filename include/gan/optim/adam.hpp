#pragma once
// Adam (Kingma & Ba) with PyTorch's update rule, bias correction included, and optional L2
// weight decay added to the gradient (torch.optim.Adam's weight_decay, not AdamW).
//
//   gan::Adam<float> opt({.lr = 2e-4, .beta1 = 0.5});   // pix2pix
//   opt.add(generator);            // after each backward pass:  opt.step();  opt.zero_grad();
//
// The state is visible for checkpoints: steps() (PyTorch's per-parameter "step", equal for all
// parameters here) and, per parameter, "<name>.exp_avg" and "<name>.exp_avg_sq" through
// visit_state().
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gan/core/error.hpp"
#include "gan/kernels/optim.hpp"
#include "gan/layers/parameter.hpp"
#include "gan/optim/parameter_list.hpp"

GAN_NAMESPACE_BEGIN

struct AdamOptions {
    double lr = 1e-3;
    double beta1 = 0.9;
    double beta2 = 0.999;
    double eps = 1e-8;
    double weight_decay = 0;
};

template <Scalar T, Backend B = cpu>
class Adam {
public:
    explicit Adam(AdamOptions options = {}) : options_(options) {
        if (!(options.lr >= 0) || !(options.eps >= 0) || !(options.weight_decay >= 0) || !(options.beta1 >= 0 && options.beta1 < 1) ||
            !(options.beta2 >= 0 && options.beta2 < 1))
            throw invalid_argument("gan::Adam: need lr, eps, weight_decay >= 0 and betas in [0, 1); got lr " +
                                   std::to_string(options.lr) + ", betas (" + std::to_string(options.beta1) + ", " +
                                   std::to_string(options.beta2) + ")");
    }

    template <class Module>
    void add(Module& module, std::string_view prefix = "") {
        const std::size_t first = parameters_.size();
        parameters_.add(module, prefix);
        for (std::size_t i = first; i < parameters_.size(); ++i) {
            exp_avg_.emplace_back(parameters_[i].parameter->shape());
            exp_avg_sq_.emplace_back(parameters_[i].parameter->shape());
        }
    }

    // One update of every parameter from its accumulated gradient.
    void step() {
        ++steps_;
        const double t = double(steps_);
        const kernels::AdamStep s{options_.lr, options_.beta1, options_.beta2, options_.eps, options_.weight_decay,
                                  options_.lr / (1 - std::pow(options_.beta1, t)),
                                  std::sqrt(1 - std::pow(options_.beta2, t))};
        for (std::size_t i = 0; i < parameters_.size(); ++i) {
            Parameter<T, B>& p = *parameters_[i].parameter;
            kernels::adam_update(B{}, s, p.value().data(), p.grad().data(), exp_avg_[i].data(), exp_avg_sq_[i].data(),
                                 p.size());
        }
    }
    void zero_grad() { parameters_.zero_grad(); }

    double lr() const noexcept { return options_.lr; }
    // For schedules: the learning rate of the following steps.
    void set_lr(double lr) { options_.lr = lr; }
    const AdamOptions& options() const noexcept { return options_; }
    const ParameterList<T, B>& parameters() const noexcept { return parameters_; }

    std::int64_t steps() const noexcept { return steps_; }
    void set_steps(std::int64_t steps) noexcept { steps_ = steps; }
    // f("<parameter>.exp_avg", Array&) and f("<parameter>.exp_avg_sq", Array&) for each parameter.
    template <class F>
    void visit_state(F&& f) {
        for (std::size_t i = 0; i < parameters_.size(); ++i) {
            f(parameters_[i].name + ".exp_avg", exp_avg_[i]);
            f(parameters_[i].name + ".exp_avg_sq", exp_avg_sq_[i]);
        }
    }

private:
    AdamOptions options_;
    ParameterList<T, B> parameters_;
    std::vector<Array<T, B>> exp_avg_;
    std::vector<Array<T, B>> exp_avg_sq_;
    std::int64_t steps_ = 0;
};

GAN_NAMESPACE_END

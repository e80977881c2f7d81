#pragma once
// Stochastic gradient descent with momentum, PyTorch's rule (torch.optim.SGD): the momentum
// buffer starts as the first gradient, then buf = μ·buf + (1 − dampening)·g; optional Nesterov
// momentum and L2 weight decay. The buffers are visible as "<name>.momentum_buffer".
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gan/core/error.hpp"
#include "gan/kernels/optim.hpp"
#include "gan/layers/parameter.hpp"
#include "gan/optim/parameter_list.hpp"

GAN_NAMESPACE_BEGIN

struct SgdOptions {
    double lr = 1e-2;
    double momentum = 0;
    double dampening = 0;
    double weight_decay = 0;
    bool nesterov = false;
};

template <Scalar T, Backend B = cpu>
class Sgd {
public:
    explicit Sgd(SgdOptions options = {}) : options_(options) {
        if (!(options.lr >= 0) || !(options.momentum >= 0) || !(options.weight_decay >= 0))
            throw invalid_argument("gan::Sgd: lr, momentum and weight_decay must be >= 0");
        if (options.nesterov && (options.momentum <= 0 || options.dampening != 0))
            throw invalid_argument("gan::Sgd: Nesterov momentum needs momentum > 0 and dampening 0");
    }

    template <class Module>
    void add(Module& module, std::string_view prefix = "") {
        const std::size_t first = parameters_.size();
        parameters_.add(module, prefix);
        for (std::size_t i = first; i < parameters_.size(); ++i)
            momentum_buffer_.emplace_back(parameters_[i].parameter->shape());
    }

    void step() {
        const kernels::SgdStep s{options_.lr, options_.momentum, options_.dampening, options_.weight_decay,
                                 options_.nesterov, steps_ == 0};
        for (std::size_t i = 0; i < parameters_.size(); ++i) {
            Parameter<T, B>& p = *parameters_[i].parameter;
            kernels::sgd_update(B{}, s, p.value().data(), p.grad().data(), momentum_buffer_[i].data(), p.size());
        }
        ++steps_;
    }
    void zero_grad() { parameters_.zero_grad(); }

    double lr() const noexcept { return options_.lr; }
    void set_lr(double lr) { options_.lr = lr; }
    const SgdOptions& options() const noexcept { return options_; }
    const ParameterList<T, B>& parameters() const noexcept { return parameters_; }

    // Steps taken; 0 means the next step initialises the momentum buffers.
    std::int64_t steps() const noexcept { return steps_; }
    void set_steps(std::int64_t steps) noexcept { steps_ = steps; }
    template <class F>
    void visit_state(F&& f) {
        for (std::size_t i = 0; i < parameters_.size(); ++i) f(parameters_[i].name + ".momentum_buffer", momentum_buffer_[i]);
    }

private:
    SgdOptions options_;
    ParameterList<T, B> parameters_;
    std::vector<Array<T, B>> momentum_buffer_;
    std::int64_t steps_ = 0;
};

GAN_NAMESPACE_END

#pragma once
// Sequential: layers applied one after the other, like torch.nn.Sequential.
//
//   gan::Sequential<gan::Conv2d<float, S, 64, 4, 2, 1>, gan::LeakyReLU<float, Shape<64, 64, 64>>> net(
//       {}, {0.2f});
//
// Each layer's input shape must be the previous layer's output shape; otherwise it does not
// compile and the message names both shapes. Parameters are named "<index>.<name>" as in a
// PyTorch state_dict, activations counting as indices too.
#include <cstddef>
#include <string>
#include <tuple>
#include <utility>

#include "gan/core/shape.hpp"
#include "gan/core/tensor.hpp"

GAN_NAMESPACE_BEGIN

template <class... Layers>
class Sequential {
    static_assert(sizeof...(Layers) > 0, "gan::Sequential needs at least one layer");
    using layer_tuple = std::tuple<Layers...>;

public:
    static constexpr std::size_t size = sizeof...(Layers);
    template <std::size_t I>
    using layer_type = std::tuple_element_t<I, layer_tuple>;
    using input_type = typename layer_type<0>::input_type;
    using output_type = typename layer_type<size - 1>::output_type;
    using input_shape = typename input_type::shape;
    using output_shape = typename output_type::shape;

private:
    template <std::size_t... I>
    static constexpr bool chained(std::index_sequence<I...>) {
        return (expect_shape<typename layer_type<I + 1>::input_type::shape, typename layer_type<I>::output_type::shape> &&
                ...);
    }
    static_assert(chained(std::make_index_sequence<size - 1>{}));

public:
    Sequential() = default;
    explicit Sequential(Layers... layers) : layers_(std::move(layers)...) {}

    void forward(const input_type& x, output_type& y) { forward_from<0>(x, y); }

    // Writes dx and accumulates every layer's parameter gradients.
    void backward(const output_type& dy, input_type& dx) { backward_from<size - 1, mode::both>(dy, dx); }
    // dx only: layers with a backward_input() (the convolutions) skip their weight gradients;
    // the others accumulate theirs as in backward(). For frozen parameters.
    void backward_input(const output_type& dy, input_type& dx) { backward_from<size - 1, mode::input>(dy, dx); }
    // Parameter gradients only: the first layer, if it has a backward_parameters(), computes no
    // input gradient (a discriminator's own training step needs none). dx is left unspecified.
    void backward_parameters(const output_type& dy, input_type& dx) {
        backward_from<size - 1, mode::parameters>(dy, dx);
    }

    template <std::size_t I>
    layer_type<I>& layer() noexcept {
        return std::get<I>(layers_);
    }
    template <std::size_t I>
    const layer_type<I>& layer() const noexcept {
        return std::get<I>(layers_);
    }

    template <class F>
    void visit_parameters(F&& f) {
        visit_each([&](std::size_t i, auto& layer) { layer.visit_parameters(prefixed(i, f)); });
    }
    template <class F>
    void visit_parameters(F&& f) const {
        visit_each([&](std::size_t i, const auto& layer) { layer.visit_parameters(prefixed(i, f)); });
    }
    template <class F>
    void visit_buffers(F&& f) {
        visit_each([&](std::size_t i, auto& layer) { layer.visit_buffers(prefixed(i, f)); });
    }
    template <class F>
    void visit_buffers(F&& f) const {
        visit_each([&](std::size_t i, const auto& layer) { layer.visit_buffers(prefixed(i, f)); });
    }
    void zero_grad() {
        visit_each([](std::size_t, auto& layer) { layer.zero_grad(); });
    }
    void train() {
        visit_each([](std::size_t, auto& layer) { layer.train(); });
    }
    void eval() {
        visit_each([](std::size_t, auto& layer) { layer.eval(); });
    }

private:
    template <class F>
    static auto prefixed(std::size_t index, F& f) {
        return [index, &f](const std::string& name, auto& item) { f(std::to_string(index) + "." + name, item); };
    }
    template <class F>
    void visit_each(F&& f) {
        std::apply([&](auto&... layer) {
            std::size_t i = 0;
            (f(i++, layer), ...);
        }, layers_);
    }
    template <class F>
    void visit_each(F&& f) const {
        std::apply([&](const auto&... layer) {
            std::size_t i = 0;
            (f(i++, layer), ...);
        }, layers_);
    }

    template <std::size_t I>
    void forward_from(const typename layer_type<I>::input_type& x, output_type& y) {
        if constexpr (I + 1 == size) {
            std::get<I>(layers_).forward(x, y);
        } else {
            auto& out = std::get<I>(outputs_);
            std::get<I>(layers_).forward(x, out);
            forward_from<I + 1>(out, y);
        }
    }
    enum class mode { both, input, parameters };
    template <mode M, class L, class DY, class DX>
    static void backward_layer(L& layer, const DY& dy, DX& dx) {
        if constexpr (M == mode::input && requires { layer.backward_input(dy, dx); })
            layer.backward_input(dy, dx);
        else
            layer.backward(dy, dx);
    }
    template <std::size_t I, mode M>
    void backward_from(const typename layer_type<I>::output_type& dy, input_type& dx) {
        if constexpr (I == 0) {
            auto& first = std::get<0>(layers_);
            if constexpr (M == mode::parameters && requires { first.backward_parameters(dy); })
                first.backward_parameters(dy);
            else
                backward_layer<M>(first, dy, dx);
        } else {
            auto& grad = std::get<I>(input_grads_);
            backward_layer<M>(std::get<I>(layers_), dy, grad);
            backward_from<I - 1, M>(grad, dx);
        }
    }

    layer_tuple layers_;
    std::tuple<typename Layers::output_type...> outputs_;     // the last one stays empty: y is the caller's
    std::tuple<typename Layers::input_type...> input_grads_;  // the first one stays empty: dx is the caller's
};

GAN_NAMESPACE_END

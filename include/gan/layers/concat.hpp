#pragma once
// Channel concatenation, the U-Net skip: y = cat([a, b], dim=1).
#include <cstddef>
#include <string>

#include "gan/core/scratch.hpp"
#include "gan/core/shape.hpp"
#include "gan/core/tensor.hpp"
#include "gan/core/tensor_slice.hpp"
#include "gan/kernels/elementwise.hpp"
#include "gan/layers/checks.hpp"

GAN_NAMESPACE_BEGIN

template <Scalar T, ShapeType A, ShapeType Bs, Backend B = cpu>
class Concat {
public:
    using first_shape = A;
    using second_shape = Bs;
    using output_shape = concat_output_t<A, Bs>;
    using first_type = Tensor<T, A, B>;
    using second_type = Tensor<T, Bs, B>;
    using output_type = Tensor<T, output_shape, B>;

    void forward(const first_type& a, const second_type& b, output_type& y) {
        join(a, b, y);
        batch_ = a.batch();
    }
    // The inference pass: keeps nothing for backward.
    void forward(const first_type& a, const second_type& b, output_type& y, Scratch<B>&) const { join(a, b, y); }

    // Where each input lies in y: a layer writing its output through second(y) puts it in place
    // (the inference pass of UNetBlock), instead of into a tensor of its own for forward to copy.
    static TensorSlice<T, A, B> first(output_type& y) noexcept { return TensorSlice<T, A, B>::template at<0>(y); }
    static TensorSlice<T, Bs, B> second(output_type& y) noexcept {
        return TensorSlice<T, Bs, B>::template at<A::size>(y);
    }

    // Splits the gradient: da, db are written (not accumulated).
    void backward(const output_type& dy, first_type& da, second_type& db) {
        detail::check_backward_batch("Concat", batch_, dy.batch());
        da.resize(dy.batch());
        db.resize(dy.batch());
        for (std::size_t n = 0; n < dy.batch(); ++n) {
            kernels::copy(B{}, dy.data() + n * output_shape::size, da.data() + n * A::size, A::size);
            kernels::copy(B{}, dy.data() + n * output_shape::size + A::size, db.data() + n * Bs::size, Bs::size);
        }
    }

    template <class F>
    void visit_parameters(F&&) const {}
    template <class F>
    void visit_buffers(F&&) const {}
    void zero_grad() noexcept {}
    void train() noexcept {}
    void eval() noexcept {}

private:
    static void join(const first_type& a, const second_type& b, output_type& y) {
        detail::check_nonempty("Concat", a.batch());
        if (a.batch() != b.batch())
            throw shape_error("gan::Concat::forward: the inputs have batch sizes " + std::to_string(a.batch()) +
                              " and " + std::to_string(b.batch()) + "; concatenate tensors of the same batch size");
        y.resize(a.batch());
        for (std::size_t n = 0; n < a.batch(); ++n) {
            kernels::copy(B{}, a.data() + n * A::size, y.data() + n * output_shape::size, A::size);
            kernels::copy(B{}, b.data() + n * Bs::size, y.data() + n * output_shape::size + A::size, Bs::size);
        }
    }

    std::size_t batch_ = 0;
};

GAN_NAMESPACE_END

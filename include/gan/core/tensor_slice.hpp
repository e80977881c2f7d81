#pragma once
// TensorSlice<T, S>: an S-shaped part of every sample of a larger tensor, such as one input of a
// concatenation inside the concatenated tensor. A layer that can write its output through a
// slice lets the inference pass build the concatenation in place instead of copying into it.
//
//   gan::Tensor<float, gan::Shape<128, 32, 32>> y(1);
//   auto second = gan::Concat<float, gan::Shape<64, 32, 32>, gan::Shape<64, 32, 32>>::second(y);
#include <cstddef>

#include "gan/core/shape.hpp"
#include "gan/core/tensor.hpp"

GAN_NAMESPACE_BEGIN

template <Scalar T, ShapeType S, Backend B = cpu>
class TensorSlice {
public:
    using value_type = T;
    using shape = S;
    static constexpr std::size_t sample_size = S::size;

    // The part that starts Offset values into each sample of `whole`.
    template <std::size_t Offset, ShapeType Whole>
    static TensorSlice at(Tensor<T, Whole, B>& whole) noexcept {
        static_assert(Offset + S::size <= Whole::size, "gan::TensorSlice: the part does not fit in the sample");
        return TensorSlice(whole.data() + Offset, Whole::size, whole.batch());
    }
    // All of each sample of `whole`.
    TensorSlice(Tensor<T, S, B>& whole) noexcept : TensorSlice(whole.data(), S::size, whole.batch()) {}

    std::size_t batch() const noexcept { return batch_; }
    T* sample(std::size_t n) const noexcept { return data_ + n * stride_; }

private:
    TensorSlice(T* data, std::size_t stride, std::size_t batch) noexcept
        : data_(data), stride_(stride), batch_(batch) {}

    T* data_;
    std::size_t stride_;  // values from one sample's part to the next
    std::size_t batch_;
};

GAN_NAMESPACE_END

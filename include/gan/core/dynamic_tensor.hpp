#pragma once
// Run-time-shaped tensors, for the few places whose shape is only known at run time: reading
// images and model files. Everything else uses the compile-time-shaped Tensor; the bridge is
// to_static<S>(), which checks the shape and says clearly what did not match.
#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "gan/core/error.hpp"
#include "gan/core/tensor.hpp"

GAN_NAMESPACE_BEGIN

// (batch, channels, height, width) known at run time.
struct DynamicShape {
    std::size_t batch = 0;
    std::size_t channels = 0;
    std::size_t height = 0;
    std::size_t width = 0;

    std::size_t sample_size() const noexcept { return channels * height * width; }
    std::size_t size() const noexcept { return batch * sample_size(); }
    std::string sample_str() const { return shape_string({channels, height, width}); }
    std::string str() const { return shape_string({batch, channels, height, width}); }
    friend bool operator==(const DynamicShape&, const DynamicShape&) = default;
};

// A non-owning NCHW view on host memory with a run-time shape.
template <class T>
class TensorView {
public:
    TensorView() = default;
    TensorView(T* data, DynamicShape shape) : data_(data), shape_(shape) {}

    T* data() const noexcept { return data_; }
    const DynamicShape& shape() const noexcept { return shape_; }
    std::size_t size() const noexcept { return shape_.size(); }
    std::span<T> span() const noexcept { return {data_, size()}; }

    // Bounds-checked element access: views come from files, so indices deserve a check.
    T& at(std::size_t n, std::size_t c, std::size_t h, std::size_t w) const {
        if (n >= shape_.batch || c >= shape_.channels || h >= shape_.height || w >= shape_.width)
            throw shape_error("gan::TensorView::at: index " + shape_string({n, c, h, w}) +
                              " is outside the shape " + shape_.str());
        return data_[((n * shape_.channels + c) * shape_.height + h) * shape_.width + w];
    }

private:
    T* data_ = nullptr;
    DynamicShape shape_{};
};

// An owning host tensor with a run-time shape (what a .npy reader returns).
template <class T>
class DynamicTensor {
public:
    DynamicTensor() = default;
    explicit DynamicTensor(DynamicShape shape) : shape_(shape), values_(shape.size(), T{}) {}

    const DynamicShape& shape() const noexcept { return shape_; }
    std::size_t size() const noexcept { return values_.size(); }
    T* data() noexcept { return values_.data(); }
    const T* data() const noexcept { return values_.data(); }
    std::span<T> span() noexcept { return values_; }
    std::span<const T> span() const noexcept { return values_; }
    TensorView<T> view() noexcept { return {values_.data(), shape_}; }
    TensorView<const T> view() const noexcept { return {values_.data(), shape_}; }

private:
    DynamicShape shape_{};
    std::vector<T> values_;
};

// The run-time view of a static tensor (always succeeds).
template <class T, class S, class B>
    requires B::host_accessible
TensorView<T> view(Tensor<T, S, B>& t) {
    return {t.data(), {t.batch(), std::size_t(S::channels), std::size_t(S::height), std::size_t(S::width)}};
}
template <class T, class S, class B>
    requires B::host_accessible
TensorView<const T> view(const Tensor<T, S, B>& t) {
    return {t.data(), {t.batch(), std::size_t(S::channels), std::size_t(S::height), std::size_t(S::width)}};
}

// Checks that a run-time shape matches the per-sample shape S; `what` names the data in the
// message ("input image 'a.npy'"), so the user learns which file to fix.
template <ShapeType S>
void check_sample_shape(const DynamicShape& shape, const std::string& what) {
    if (shape.channels != std::size_t(S::channels) || shape.height != std::size_t(S::height) ||
        shape.width != std::size_t(S::width))
        throw shape_error(what + " has the per-sample shape (channels, height, width) = " + shape.sample_str() +
                          ", but this code was compiled for " + S::str() +
                          "; convert the data to that shape or use a model configured for " + shape.sample_str());
    if (shape.batch == 0) throw shape_error(what + " holds no samples (batch size 0)");
}

// Copies a run-time-shaped view into a static tensor after checking the shape. Values are
// converted to the destination scalar type (a float64 .npy into a float tensor, say).
template <ShapeType S, Scalar T = float, class U>
Tensor<T, S, cpu> to_static(TensorView<U> source, const std::string& what = "the tensor") {
    check_sample_shape<S>(source.shape(), what);
    Tensor<T, S, cpu> result(source.shape().batch);
    const auto* src = source.data();
    for (std::size_t i = 0; i < result.size(); ++i) result[i] = static_cast<T>(src[i]);
    return result;
}

GAN_NAMESPACE_END

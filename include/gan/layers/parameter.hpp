#pragma once
// Parameters and buffers of layers, shaped as in PyTorch so that state_dict entries map 1:1.
//
// An Array is an owning, run-time-shaped block of backend memory (a Conv2d weight is
// [out][in][k][k]); a Parameter is a value Array with a gradient Array of the same shape, made
// when a backward pass first needs it.
// Layers hand them to visitors by name ("weight", "bias", "running_mean", ...), which is how
// optimisers, serialisers and users walk a network.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <numeric>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "gan/core/backend.hpp"
#include "gan/core/error.hpp"
#include "gan/core/shape.hpp"
#include "gan/core/tensor.hpp"

GAN_NAMESPACE_BEGIN

template <class V, Backend B = cpu>
class Array {
public:
    using value_type = V;
    using backend = B;

    Array() = default;
    // Zero-initialised.
    explicit Array(std::vector<std::size_t> shape) : shape_(std::move(shape)) {
        size_ = std::accumulate(shape_.begin(), shape_.end(), std::size_t(1), std::multiplies<>());
        data_ = static_cast<V*>(B::allocate(bytes()));
        B::zero(data_, bytes());
    }
    // A default-constructed (unallocated) Array copies as one.
    Array(const Array& other) : shape_(other.shape_), size_(other.size_) {
        if (other.data_ == nullptr) return;
        data_ = static_cast<V*>(B::allocate(bytes()));
        B::copy(data_, other.data_, bytes());
    }
    Array(Array&& other) noexcept
        : shape_(std::move(other.shape_)),
          size_(std::exchange(other.size_, 0)),
          data_(std::exchange(other.data_, nullptr)) {}
    Array& operator=(Array other) noexcept {
        swap(other);
        return *this;
    }
    ~Array() { B::deallocate(data_, bytes()); }

    void swap(Array& other) noexcept {
        std::swap(shape_, other.shape_);
        std::swap(size_, other.size_);
        std::swap(data_, other.data_);
    }

    const std::vector<std::size_t>& shape() const noexcept { return shape_; }
    std::string shape_str() const { return shape_string(shape_); }
    std::size_t size() const noexcept { return size_; }
    std::size_t bytes() const noexcept { return size_ * sizeof(V); }
    V* data() noexcept { return data_; }
    const V* data() const noexcept { return data_; }
    void zero() { B::zero(data_, bytes()); }

    std::span<V> span() noexcept
        requires B::host_accessible
    {
        return {data_, size_};
    }
    std::span<const V> span() const noexcept
        requires B::host_accessible
    {
        return {data_, size_};
    }
    V& operator[](std::size_t i) noexcept
        requires B::host_accessible
    {
        return data_[i];
    }
    const V& operator[](std::size_t i) const noexcept
        requires B::host_accessible
    {
        return data_[i];
    }

private:
    std::vector<std::size_t> shape_;
    std::size_t size_ = 0;
    V* data_ = nullptr;
};

namespace detail {
inline std::uint64_t next_parameter_version() noexcept {
    static std::atomic<std::uint64_t> counter{0};
    return counter.fetch_add(1, std::memory_order_relaxed) + 1;
}
}  // namespace detail

template <Scalar T, Backend B>
class Parameter;

// Takes over the gradients of parameters whose backward pass writes them in whole (the
// convolutions' weights): an optimiser that updates each such parameter as soon as its gradient
// is complete, so that the gradients of a network never all exist at once (Adam's
// step_in_backward). The backward pass asks for the buffer when it starts on the parameter and
// must be done with the parameter's value when it asks for the next parameter's buffer.
template <Scalar T, Backend B>
class GradientSink {
public:
    // Where the gradient of `p` goes; the backward pass stores into it (as into a zero gradient).
    virtual T* lend(Parameter<T, B>& p) = 0;

    // Instead of lend, for a backward pass that completes the gradient of `p` a slice at a time
    // (a deep layer's weight gradient, row panel by row panel: kernels::gemm_row_slabs) and is
    // done with the value of `p` before the first: begin_slices(p) returns true if the sink
    // takes them, then update_slice is called once for every element of `p` (from several
    // threads at once, on disjoint slices), then end_slices(). A sink that returns false is
    // lent a buffer as before.
    virtual bool begin_slices(Parameter<T, B>&) { return false; }
    // The gradient of elements [first, first + count), at grad[0 .. count).
    virtual void update_slice(const T* /*grad*/, std::size_t /*first*/, std::size_t /*count*/) {}
    virtual void end_slices() {}

protected:
    ~GradientSink() = default;
};

// A trainable tensor: its value and the gradient that backward() accumulates into.
template <Scalar T, Backend B = cpu>
class Parameter {
public:
    using value_type = T;
    using backend = B;

    Parameter() = default;
    explicit Parameter(std::vector<std::size_t> shape) : value_(std::move(shape)) {}

    const std::vector<std::size_t>& shape() const noexcept { return value_.shape(); }
    std::string shape_str() const { return value_.shape_str(); }
    std::size_t size() const noexcept { return value_.size(); }

    // Non-const access to the values counts as a change: layers that keep their weights packed
    // for the GEMM (Conv2d, ConvTranspose2d) repack when version() has moved. Code that keeps a
    // pointer to the values and writes through it later must call value() (or mark_modified())
    // again before the next pass.
    Array<T, B>& value() noexcept {
        mark_modified();
        return value_;
    }
    const Array<T, B>& value() const noexcept { return value_; }
    void mark_modified() noexcept { version_ = detail::next_parameter_version(); }
    // Changes with every non-const access to value(); never 0. Versions are drawn from one
    // process-wide counter, so two parameters share a version only when one is a copy of the other
    // (and so holds the same values).
    std::uint64_t version() const noexcept { return version_; }
    // The gradient is allocated on first use, so a network that only runs inference never holds
    // one (at 128x128 the generator's gradients alone are 160 MiB). zero_grad() only marks it
    // zero, so a training step does not spend a pass over every gradient on a memset: the first
    // backward pass then stores its gradient instead of adding it (gradient_target()), and any
    // other access here writes the zeros first.
    Array<T, B>& grad() {
        check_gradient_kept();
        materialize_gradient();
        return grad_;
    }
    // Empty (size 0) until the first backward pass or non-const grad(). Not safe to call from
    // several threads at once right after zero_grad(): the first call writes the zeros.
    const Array<T, B>& grad() const {
        check_gradient_kept();
        write_marked_zeros();
        return grad_;
    }
    bool has_grad() const noexcept { return grad_.data() != nullptr; }
    void zero_grad() noexcept {
        if (has_grad()) grad_is_zero_ = true;
    }

    // Where a backward pass puts a gradient that it writes in whole (a convolution's weight
    // gradient): when `overwrite` is true the gradient is zero, and the pass must store into
    // every element rather than add; otherwise it adds, as to grad().
    struct GradientTarget {
        T* data;
        bool overwrite;
    };
    GradientTarget gradient_target() {
        if (sink_.to != nullptr) return {sink_.to->lend(*this), true};
        const bool overwrite = !has_grad() || grad_is_zero_;
        if (!has_grad()) grad_ = Array<T, B>(value_.shape());
        grad_is_zero_ = false;
        return {grad_.data(), overwrite};
    }

    // The sink that takes this parameter's gradient slice by slice (see GradientSink), with
    // begin_slices called: nullptr where there is none or it does not take slices, and the
    // backward pass uses gradient_target(). A pass that gets one calls end_slices() when done.
    GradientSink<T, B>* begin_gradient_slices() {
        return sink_.to != nullptr && sink_.to->begin_slices(*this) ? sink_.to : nullptr;
    }

    // Layers whose backward pass writes this parameter's gradient in whole, through
    // gradient_target() alone, say so; only such parameters can hand their gradient to a sink.
    void set_gradient_written_whole() noexcept { gradient_written_whole_ = true; }
    bool gradient_written_whole() const noexcept { return gradient_written_whole_; }

    // Hands the gradient to `sink` (nullptr: back to this parameter, starting from zero). The
    // parameter then holds no gradient of its own, and grad() throws.
    void set_gradient_sink(GradientSink<T, B>* sink) {
        if (sink != nullptr && !gradient_written_whole_)
            throw invalid_argument("gan::Parameter " + shape_str() +
                                   ": only a parameter whose backward pass writes its gradient in whole (a "
                                   "convolution's weight) can hand the gradient to an optimiser during backward");
        sink_.to = sink;
        grad_ = Array<T, B>();
        grad_is_zero_ = false;
    }
    bool gradient_sunk() const noexcept { return sink_.to != nullptr; }

private:
    void check_gradient_kept() const {
        if (sink_.to != nullptr)
            throw usage_error("gan::Parameter " + shape_str() +
                              ": its gradient is consumed during the backward pass by an optimiser that steps in "
                              "backward, and not kept; turn that off (Adam::step_in_backward(false)) to read it");
    }
    void materialize_gradient() {
        if (!has_grad()) grad_ = Array<T, B>(value_.shape());  // allocated zeroed; never marked
        write_marked_zeros();
    }
    void write_marked_zeros() const {
        if (!grad_is_zero_) return;
        grad_.zero();
        grad_is_zero_ = false;
    }

    Array<T, B> value_;
    mutable Array<T, B> grad_;
    mutable bool grad_is_zero_ = false;  // zero_grad() was called and nothing has written since
    bool gradient_written_whole_ = false;
    // The sink belongs to this object, not to its value: a copy of a layer is not registered
    // with the original's optimiser, and assignment keeps the target's registration.
    struct SinkRef {
        GradientSink<T, B>* to = nullptr;
        SinkRef() = default;
        SinkRef(const SinkRef&) noexcept {}
        SinkRef& operator=(const SinkRef&) noexcept { return *this; }
    };
    SinkRef sink_;
    std::uint64_t version_ = detail::next_parameter_version();
};

GAN_NAMESPACE_END

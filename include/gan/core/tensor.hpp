#pragma once
// Tensor<T, Shape<C, H, W>, Backend>: a batch of samples of a compile-time shape.
//
// Layout is contiguous NCHW; the batch size N is the only run-time extent. Storage comes from
// the backend (64-byte aligned on the CPU) and lives on the heap, never on the stack: pix2pix
// activations are megabytes, more than a worker thread's stack.
#include <algorithm>
#include <cstddef>
#include <span>
#include <string>
#include <type_traits>
#include <utility>

#include "gan/core/backend.hpp"
#include "gan/core/error.hpp"
#include "gan/core/shape.hpp"

GAN_NAMESPACE_BEGIN

template <class T>
concept Scalar = std::is_same_v<T, float> || std::is_same_v<T, double>;

template <Scalar T, ShapeType S, Backend B = cpu>
class Tensor {
public:
    using value_type = T;
    using shape = S;
    using backend = B;
    static constexpr int channels = S::channels;
    static constexpr int height = S::height;
    static constexpr int width = S::width;
    static constexpr std::size_t sample_size = S::size;

    Tensor() = default;
    // A batch of `batch` samples, zero-initialised so that no uninitialised value can leak.
    explicit Tensor(std::size_t batch) { resize(batch); }

    Tensor(const Tensor& other) : Tensor(other.batch_) { B::copy(data_, other.data_, bytes()); }
    Tensor(Tensor&& other) noexcept
        : data_(std::exchange(other.data_, nullptr)), batch_(std::exchange(other.batch_, 0)) {}
    Tensor& operator=(const Tensor& other) {
        if (this != &other) {
            if (batch_ != other.batch_) resize(other.batch_);
            B::copy(data_, other.data_, bytes());
        }
        return *this;
    }
    Tensor& operator=(Tensor&& other) noexcept {
        if (this != &other) {
            release();
            data_ = std::exchange(other.data_, nullptr);
            batch_ = std::exchange(other.batch_, 0);
        }
        return *this;
    }
    ~Tensor() { release(); }

    // Changes the batch size. Keeps the allocation when the size is unchanged, so a training loop
    // that calls resize() every step does not allocate in its steady state. Contents are zeroed
    // only when the storage is new.
    void resize(std::size_t batch) {
        if (batch == batch_) return;
        release();
        if (batch > 0) {
            data_ = static_cast<T*>(B::allocate(batch * sample_size * sizeof(T)));
            B::zero(data_, batch * sample_size * sizeof(T));
        }
        batch_ = batch;
    }

    std::size_t batch() const noexcept { return batch_; }
    std::size_t size() const noexcept { return batch_ * sample_size; }
    std::size_t bytes() const noexcept { return size() * sizeof(T); }
    bool empty() const noexcept { return batch_ == 0; }
    static std::string shape_str() { return S::str(); }

    T* data() noexcept { return data_; }
    const T* data() const noexcept { return data_; }

    // Host element access. Not available for device backends: copy to a CPU tensor first.
    T& operator()(std::size_t n, int c, int h, int w) noexcept
        requires B::host_accessible
    {
        return data_[index(n, c, h, w)];
    }
    const T& operator()(std::size_t n, int c, int h, int w) const noexcept
        requires B::host_accessible
    {
        return data_[index(n, c, h, w)];
    }
    // Flat access over the whole batch.
    T& operator[](std::size_t i) noexcept
        requires B::host_accessible
    {
        return data_[i];
    }
    const T& operator[](std::size_t i) const noexcept
        requires B::host_accessible
    {
        return data_[i];
    }

    std::span<T> span() noexcept
        requires B::host_accessible
    {
        return {data_, size()};
    }
    std::span<const T> span() const noexcept
        requires B::host_accessible
    {
        return {data_, size()};
    }
    // One sample (all C·H·W values of batch entry n).
    std::span<T> sample(std::size_t n) noexcept
        requires B::host_accessible
    {
        return {data_ + n * sample_size, sample_size};
    }
    std::span<const T> sample(std::size_t n) const noexcept
        requires B::host_accessible
    {
        return {data_ + n * sample_size, sample_size};
    }

    void fill(T value)
        requires B::host_accessible
    {
        std::fill_n(data_, size(), value);
    }
    void zero() { B::zero(data_, bytes()); }

    static constexpr std::size_t index(std::size_t n, int c, int h, int w) noexcept {
        return ((n * channels + std::size_t(c)) * height + std::size_t(h)) * width + std::size_t(w);
    }

private:
    void release() noexcept {
        B::deallocate(data_, bytes());
        data_ = nullptr;
        batch_ = 0;
    }

    T* data_ = nullptr;
    std::size_t batch_ = 0;
};

template <class T>
struct is_tensor : std::false_type {};
template <class T, class S, class B>
struct is_tensor<Tensor<T, S, B>> : std::true_type {};
template <class T>
concept TensorType = is_tensor<std::remove_cvref_t<T>>::value;

GAN_NAMESPACE_END

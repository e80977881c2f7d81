#pragma once
// Per-sample tensor shapes as types, and the shape arithmetic of the layers.
//
// A Shape<C, H, W> is the shape of one sample (channels, height, width); the batch size is a
// run-time extent of the tensor. Layers compute their output shape as a type from their input
// shape, so a network whose pieces do not fit together does not compile. Where the shapes cannot
// fit, a static_assert fires inside a template whose arguments are the offending shapes, so the
// compiler's "required from" line names both of them.
#include <cstddef>
#include <initializer_list>
#include <span>
#include <string>
#include <type_traits>

#include "gan/version.hpp"

GAN_NAMESPACE_BEGIN

// "(a, b, c)": how shapes appear in every message.
inline std::string shape_string(std::span<const std::size_t> extents) {
    std::string text = "(";
    for (std::size_t e : extents) {
        if (text.size() > 1) text.append(", ");
        text.append(std::to_string(e));
    }
    text.append(")");
    return text;
}
inline std::string shape_string(std::initializer_list<std::size_t> extents) {
    return shape_string(std::span<const std::size_t>(extents.begin(), extents.size()));
}

template <int C, int H, int W>
struct Shape {
    static_assert(C > 0 && H > 0 && W > 0, "gan::Shape: channels, height and width must be positive");
    static constexpr int channels = C;
    static constexpr int height = H;
    static constexpr int width = W;
    static constexpr std::size_t plane = std::size_t(H) * std::size_t(W);  // elements per channel
    static constexpr std::size_t size = std::size_t(C) * plane;             // elements per sample

    static std::string str() { return shape_string({C, H, W}); }
};

template <class T>
struct is_shape : std::false_type {};
template <int C, int H, int W>
struct is_shape<Shape<C, H, W>> : std::true_type {};
template <class T>
concept ShapeType = is_shape<T>::value;

// ---- checks whose failure names the shapes involved -----------------------------------------
// Each check is a class template over the shapes; its static_assert only fires when instantiated
// with shapes that do not fit, and GCC/Clang then print "In instantiation of
// 'struct gan::...::shapes_must_be_equal<gan::Shape<64, 32, 32>, gan::Shape<64, 16, 16>>'".

template <ShapeType Expected, ShapeType Actual>
struct shapes_must_be_equal {
    static_assert(std::is_same_v<Expected, Actual>,
                  "gan: shape mismatch: a layer received an input of a shape (second template "
                  "argument) other than the one it was declared for (first template argument)");
    static constexpr bool value = true;
};

template <ShapeType A, ShapeType B>
struct concat_needs_equal_height_and_width {
    static_assert(A::height == B::height && A::width == B::width,
                  "gan: channel concatenation needs equal height and width; the two shapes are "
                  "the template arguments");
    using type = Shape<A::channels + B::channels, A::height, A::width>;
};

template <ShapeType In, int Kernel, int Stride, int Padding>
struct window_must_fit {
    static_assert(Kernel > 0 && Stride > 0 && Padding >= 0,
                  "gan: kernel and stride must be positive and padding non-negative");
    static_assert(In::height + 2 * Padding >= Kernel && In::width + 2 * Padding >= Kernel,
                  "gan: the kernel is larger than the padded input (the input shape is the "
                  "first template argument, then kernel, stride, padding)");
    static constexpr bool value = true;
};

// ---- output shapes ----------------------------------------------------------------------------

// Conv2d: floor((H + 2P - K) / S) + 1, as in PyTorch.
template <ShapeType In, int OutChannels, int Kernel, int Stride, int Padding>
struct conv2d_output {
    static_assert(window_must_fit<In, Kernel, Stride, Padding>::value);
    static_assert(OutChannels > 0, "gan::Conv2d: the number of output channels must be positive");
    using type = Shape<OutChannels, (In::height + 2 * Padding - Kernel) / Stride + 1,
                       (In::width + 2 * Padding - Kernel) / Stride + 1>;
};
template <ShapeType In, int OutChannels, int Kernel, int Stride, int Padding>
using conv2d_output_t = typename conv2d_output<In, OutChannels, Kernel, Stride, Padding>::type;

// ConvTranspose2d (no output_padding): (H - 1) S - 2P + K, as in PyTorch.
template <ShapeType In, int OutChannels, int Kernel, int Stride, int Padding>
struct conv_transpose2d_output {
    static_assert(Kernel > 0 && Stride > 0 && Padding >= 0,
                  "gan::ConvTranspose2d: kernel and stride must be positive and padding non-negative");
    static_assert((In::height - 1) * Stride + Kernel > 2 * Padding &&
                      (In::width - 1) * Stride + Kernel > 2 * Padding,
                  "gan::ConvTranspose2d: the padding crops away the whole output");
    static_assert(OutChannels > 0, "gan::ConvTranspose2d: the number of output channels must be positive");
    using type = Shape<OutChannels, (In::height - 1) * Stride - 2 * Padding + Kernel,
                       (In::width - 1) * Stride - 2 * Padding + Kernel>;
};
template <ShapeType In, int OutChannels, int Kernel, int Stride, int Padding>
using conv_transpose2d_output_t =
    typename conv_transpose2d_output<In, OutChannels, Kernel, Stride, Padding>::type;

// Pooling (max or average) without padding: floor((H - K) / S) + 1.
template <ShapeType In, int Kernel, int Stride>
struct pool2d_output {
    static_assert(window_must_fit<In, Kernel, Stride, 0>::value);
    using type = Shape<In::channels, (In::height - Kernel) / Stride + 1, (In::width - Kernel) / Stride + 1>;
};
template <ShapeType In, int Kernel, int Stride>
using pool2d_output_t = typename pool2d_output<In, Kernel, Stride>::type;

// Channel concatenation: channels add, height and width must agree.
template <ShapeType A, ShapeType B>
using concat_output_t = typename concat_needs_equal_height_and_width<A, B>::type;

// Use inside a layer to state the input shape it was built for; a different one fails to compile
// with both shapes in the message.
template <ShapeType Expected, ShapeType Actual>
inline constexpr bool expect_shape = shapes_must_be_equal<Expected, Actual>::value;

GAN_NAMESPACE_END

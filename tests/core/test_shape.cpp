#include <doctest/doctest.h>

#include <gan/core/shape.hpp>

#include <type_traits>

using gan::Shape;

TEST_CASE("shape constants describe one sample") {
    using S = Shape<3, 128, 64>;
    CHECK(S::channels == 3);
    CHECK(S::height == 128);
    CHECK(S::width == 64);
    CHECK(S::plane == 128u * 64u);
    CHECK(S::size == 3u * 128u * 64u);
    CHECK(S::str() == "(3, 128, 64)");
}

TEST_CASE("conv2d output shapes follow PyTorch's floor rule") {
    // The pix2pix down-sampling conv: k4 s2 p1 halves the size.
    static_assert(std::is_same_v<gan::conv2d_output_t<Shape<1, 128, 128>, 64, 4, 2, 1>, Shape<64, 64, 64>>);
    // The innermost U-Net conv: 2x2 -> 1x1.
    static_assert(std::is_same_v<gan::conv2d_output_t<Shape<512, 2, 2>, 512, 4, 2, 1>, Shape<512, 1, 1>>);
    // PatchGAN's stride-1 convs shrink by one: 16 -> 15 -> 14.
    static_assert(std::is_same_v<gan::conv2d_output_t<Shape<256, 16, 16>, 512, 4, 1, 1>, Shape<512, 15, 15>>);
    static_assert(std::is_same_v<gan::conv2d_output_t<Shape<512, 15, 15>, 1, 4, 1, 1>, Shape<1, 14, 14>>);
    // Odd sizes floor: (7 + 2 - 3) / 2 + 1 = 4.
    static_assert(std::is_same_v<gan::conv2d_output_t<Shape<2, 7, 9>, 5, 3, 2, 1>, Shape<5, 4, 5>>);
    CHECK(gan::conv2d_output_t<Shape<1, 256, 256>, 64, 4, 2, 1>::height == 128);
}

TEST_CASE("transposed conv output shapes invert the down-sampling") {
    static_assert(std::is_same_v<gan::conv_transpose2d_output_t<Shape<512, 1, 1>, 512, 4, 2, 1>, Shape<512, 2, 2>>);
    static_assert(std::is_same_v<gan::conv_transpose2d_output_t<Shape<128, 64, 64>, 1, 4, 2, 1>, Shape<1, 128, 128>>);
    // (3 - 1) * 1 - 0 + 3 = 5
    static_assert(std::is_same_v<gan::conv_transpose2d_output_t<Shape<4, 3, 3>, 2, 3, 1, 0>, Shape<2, 5, 5>>);
    CHECK(gan::conv_transpose2d_output_t<Shape<8, 32, 16>, 4, 4, 2, 1>::width == 32);
}

TEST_CASE("pool and concat output shapes") {
    static_assert(std::is_same_v<gan::pool2d_output_t<Shape<3, 8, 8>, 2, 2>, Shape<3, 4, 4>>);
    static_assert(std::is_same_v<gan::pool2d_output_t<Shape<3, 9, 9>, 3, 2>, Shape<3, 4, 4>>);
    static_assert(std::is_same_v<gan::concat_output_t<Shape<64, 32, 32>, Shape<128, 32, 32>>, Shape<192, 32, 32>>);
    CHECK(gan::concat_output_t<Shape<1, 4, 4>, Shape<1, 4, 4>>::channels == 2);
}

TEST_CASE("shape equality check passes for equal shapes") {
    static_assert(gan::expect_shape<Shape<1, 2, 3>, Shape<1, 2, 3>>);
    CHECK(gan::is_shape<Shape<1, 2, 3>>::value);
    CHECK_FALSE(gan::is_shape<int>::value);
}

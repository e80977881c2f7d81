#include <doctest/doctest.h>

#include <gan/core/dynamic_tensor.hpp>

#include <string>

using Image128 = gan::Shape<1, 128, 128>;

TEST_CASE("a run-time view of a static tensor carries its shape") {
    gan::Tensor<float, gan::Shape<2, 3, 4>> t(5);
    auto v = gan::view(t);
    CHECK(v.shape() == gan::DynamicShape{5, 2, 3, 4});
    v.at(4, 1, 2, 3) = 9.0f;
    CHECK(t(4, 1, 2, 3) == 9.0f);
    CHECK_THROWS_AS(v.at(5, 0, 0, 0), gan::shape_error);
    CHECK_THROWS_AS(v.at(0, 2, 0, 0), gan::shape_error);
}

TEST_CASE("to_static converts when the shape matches") {
    gan::DynamicTensor<double> d({2, 1, 4, 4});
    for (std::size_t i = 0; i < d.size(); ++i) d.data()[i] = 0.5 * double(i);
    auto t = gan::to_static<gan::Shape<1, 4, 4>>(d.view(), "test data");
    CHECK(t.batch() == 2);
    CHECK(t(1, 0, 3, 3) == doctest::Approx(0.5 * 31));
}

TEST_CASE("to_static refuses a wrong shape with a message naming both shapes and the data") {
    gan::DynamicTensor<float> d({1, 3, 64, 64});
    try {
        (void)gan::to_static<gan::Shape<1, 128, 128>>(d.view(), "input image 'x.npy'");
        FAIL("expected a shape_error");
    } catch (const gan::shape_error& e) {
        const std::string message = e.what();
        CHECK(message.find("input image 'x.npy'") != std::string::npos);
        CHECK(message.find("(3, 64, 64)") != std::string::npos);
        CHECK(message.find("(1, 128, 128)") != std::string::npos);
    }
    gan::DynamicTensor<float> empty({0, 1, 128, 128});
    CHECK_THROWS_AS((void)gan::to_static<Image128>(empty.view(), "empty"), gan::shape_error);
    // Every other mismatch is caught too, whichever extent differs.
    for (gan::DynamicShape wrong : {gan::DynamicShape{1, 2, 128, 128}, gan::DynamicShape{1, 1, 127, 128},
                                    gan::DynamicShape{1, 1, 128, 129}}) {
        gan::DynamicTensor<float> w(wrong);
        CHECK_THROWS_AS((void)gan::to_static<Image128>(w.view(), "w"), gan::shape_error);
    }
}

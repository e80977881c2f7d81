#include <doctest/doctest.h>

#include <gan/core/tensor.hpp>

#include <cstdint>
#include <utility>

using Image = gan::Tensor<float, gan::Shape<3, 5, 7>>;

TEST_CASE("tensor storage is 64-byte aligned, contiguous NCHW and zeroed") {
    for (std::size_t batch : {1u, 2u, 3u, 17u}) {
        Image t(batch);
        CHECK(reinterpret_cast<std::uintptr_t>(t.data()) % 64 == 0);
        CHECK(t.batch() == batch);
        CHECK(t.size() == batch * 3 * 5 * 7);
        for (float v : t.span()) REQUIRE(v == 0.0f);
    }
    gan::Tensor<double, gan::Shape<1, 1, 1>> tiny(1);
    CHECK(reinterpret_cast<std::uintptr_t>(tiny.data()) % 64 == 0);
}

TEST_CASE("element (n, c, h, w) sits at ((n*C + c)*H + h)*W + w") {
    Image t(2);
    t(1, 2, 3, 4) = 5.0f;
    CHECK(t[((1 * 3 + 2) * 5 + 3) * 7 + 4] == 5.0f);
    CHECK(Image::index(1, 2, 3, 4) == ((1u * 3 + 2) * 5 + 3) * 7 + 4);
    CHECK(t.sample(1).data() == t.data() + Image::sample_size);
    CHECK(t.sample(1)[(2 * 5 + 3) * 7 + 4] == 5.0f);
}

TEST_CASE("copy is deep, move steals, resize keeps the allocation when the size is unchanged") {
    Image a(2);
    a.fill(1.5f);
    Image b = a;
    b(0, 0, 0, 0) = -1.0f;
    CHECK(a(0, 0, 0, 0) == 1.5f);
    CHECK(b(0, 0, 0, 1) == 1.5f);

    const float* storage = a.data();
    a.resize(2);
    CHECK(a.data() == storage);
    CHECK(a(1, 2, 4, 6) == 1.5f);

    Image c = std::move(a);
    CHECK(c.data() == storage);
    CHECK(a.empty());
    CHECK(a.data() == nullptr);

    c.resize(4);
    CHECK(c.batch() == 4);
    CHECK(c(3, 2, 4, 6) == 0.0f);
    c.zero();
    c = b;
    CHECK(c.batch() == 2);
    CHECK(c(0, 0, 0, 0) == -1.0f);
}

TEST_CASE("double tensors work for gradient checks") {
    gan::Tensor<double, gan::Shape<2, 3, 3>> g(1);
    g(0, 1, 2, 2) = 0.1;
    CHECK(g.sample(0)[17] == doctest::Approx(0.1));
    CHECK(reinterpret_cast<std::uintptr_t>(g.data()) % 64 == 0);
    CHECK(g.shape_str() == "(2, 3, 3)");
}

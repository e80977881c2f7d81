// Uses a little of everything the gan::gan target must carry: the headers, C++20, and the
// include paths and link flags of its dependencies.
#include <gan/gan.hpp>

#include <cstdio>

int main() {
    gan::Tensor<float, gan::Shape<1, 8, 8>> x(2);
    gan::Random rng(7);
    gan::fill_normal(x, 0.0, 1.0, rng);
    using Down = gan::conv2d_output_t<gan::Shape<1, 8, 8>, 4, 4, 2, 1>;
    static_assert(Down::height == 4 && Down::channels == 4);
    std::printf("gan %s consumed: batch %zu of %s\n", gan::version_string, x.batch(), x.shape_str().c_str());
    return x.size() == 128 ? 0 : 1;
}

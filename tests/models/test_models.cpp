#include <doctest/doctest.h>

#include <gan/models/init.hpp>
#include <gan/models/patchgan.hpp>
#include <gan/models/unet.hpp>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "../layers/gradcheck.hpp"

namespace {

// name → shape of every parameter and buffer, as a state_dict would list them.
template <class Model>
std::map<std::string, std::vector<std::size_t>> state_dict_shapes(Model& model) {
    std::map<std::string, std::vector<std::size_t>> shapes;
    model.visit_parameters([&](const std::string& name, auto& p) { shapes[name] = p.shape(); });
    model.visit_buffers([&](const std::string& name, auto& b) { shapes[name] = b.shape(); });
    return shapes;
}

template <class Model>
long long counted_parameters(Model& model) {
    long long n = 0;
    model.visit_parameters([&](const std::string&, auto& p) { n += (long long)p.size(); });
    return n;
}

}  // namespace

TEST_CASE("parameter and FLOP counts match the reference networks, at compile time") {
    // pix2pix.md: counts checked against forward hooks on the reference networks.py.
    static_assert(gan::UNet<7, 64>::parameter_count == 41'822'849);
    static_assert(gan::UNet<7, 64, 3, 3>::parameter_count == 41'828'995);
    static_assert(gan::UNet<8, 64>::parameter_count == 54'407'809);
    static_assert(gan::UNet<8, 64, 3, 3>::parameter_count == 54'413'955);
    static_assert(gan::UNet<7, 64>::flops == 2 * 1'480'589'312LL);
    static_assert(gan::PatchGAN<>::parameter_count == 2'764'609);
    static_assert(gan::PatchGAN<3, 64, 6, gan::BatchNorm, gan::cpu, float, 256>::parameter_count == 2'768'705);
    CHECK(gan::UNet<8, 64>::flops / 1e9 == doctest::Approx(11.895).epsilon(5e-4));
    CHECK(gan::UNet<8, 64, 3, 3>::flops / 1e9 == doctest::Approx(12.096).epsilon(5e-4));
    CHECK(gan::PatchGAN<>::flops / 1e9 == doctest::Approx(1.501).epsilon(5e-4));
    CHECK(gan::PatchGAN<3, 64, 2, gan::BatchNorm, gan::cpu, float, 256>::flops / 1e9 == doctest::Approx(6.260).epsilon(5e-4));
    // The 70×70 PatchGAN maps 128² to 14×14 logits and 256² to 30×30.
    static_assert(std::is_same_v<gan::PatchGAN<>::output_shape, gan::Shape<1, 14, 14>>);
    static_assert(std::is_same_v<gan::PatchGAN<3, 64, 2, gan::BatchNorm, gan::cpu, float, 256>::output_shape,
                                 gan::Shape<1, 30, 30>>);
    static_assert(std::is_same_v<gan::UNet<7, 64>::output_shape, gan::Shape<1, 128, 128>>);
}

TEST_CASE("UNet<7, 64>: every parameter is visited under its reference state_dict name") {
    gan::UNet<7, 64> g;
    CHECK(counted_parameters(g) == gan::UNet<7, 64>::parameter_count);
    const auto shapes = state_dict_shapes(g);
    // 37 parameters (3 outermost, 6 per middle block × 5, 4 innermost) and 3 buffers per BatchNorm (11).
    CHECK(shapes.size() == 37 + 33);
    using V = std::vector<std::size_t>;
    CHECK(shapes.at("model.model.0.weight") == V{64, 1, 4, 4});
    CHECK(shapes.at("model.model.3.weight") == V{128, 1, 4, 4});
    CHECK(shapes.at("model.model.3.bias") == V{1});
    CHECK(shapes.at("model.model.1.model.1.weight") == V{128, 64, 4, 4});
    CHECK(shapes.at("model.model.1.model.2.running_var") == V{128});
    CHECK(shapes.at("model.model.1.model.2.num_batches_tracked") == V{});
    CHECK(shapes.at("model.model.1.model.5.weight") == V{256, 64, 4, 4});
    const std::string innermost = "model.model.1.model.3.model.3.model.3.model.3.model.3.model.";
    CHECK(shapes.at(innermost + "1.weight") == V{512, 512, 4, 4});
    CHECK(shapes.at(innermost + "3.weight") == V{512, 512, 4, 4});
    CHECK(shapes.at(innermost + "4.weight") == V{512});
    CHECK(shapes.count("model.model.1.model.1.bias") == 0);  // BatchNorm: no conv biases
}

TEST_CASE("PatchGAN: reference names, InstanceNorm variant has conv biases and no norm parameters") {
    gan::PatchGAN<> d;
    CHECK(counted_parameters(d) == gan::PatchGAN<>::parameter_count);
    const auto shapes = state_dict_shapes(d);
    using V = std::vector<std::size_t>;
    CHECK(shapes.at("model.0.weight") == V{64, 2, 4, 4});
    CHECK(shapes.at("model.0.bias") == V{64});
    CHECK(shapes.at("model.3.running_mean") == V{128});
    CHECK(shapes.at("model.8.weight") == V{512, 256, 4, 4});
    CHECK(shapes.at("model.11.weight") == V{1, 512, 4, 4});
    CHECK(shapes.at("model.11.bias") == V{1});
    // 13 parameters (5 convs, 2 biases, 3 norms × 2) and 3 norms × 3 buffers.
    CHECK(shapes.size() == 13 + 9);

    using DI = gan::PatchGAN<3, 8, 2, gan::InstanceNorm>;
    DI di;
    CHECK(counted_parameters(di) == DI::parameter_count);
    const auto si = state_dict_shapes(di);
    CHECK(si.count("model.2.bias") == 1);
    CHECK(si.count("model.3.weight") == 0);
}

TEST_CASE("pix2pix initialisation: conv weights N(0, 0.02), norm weights N(1, 0.02), biases 0") {
    gan::UNet<7, 8> g;
    gan::Random rng(11);
    gan::init_pix2pix(g, rng);
    g.visit_parameters([&](const std::string& name, auto& p) {
        double mean = 0, sq = 0;
        for (std::size_t i = 0; i < p.size(); ++i) {
            mean += p.value()[i];
            sq += double(p.value()[i]) * p.value()[i];
        }
        mean /= double(p.size());
        const double sd = std::sqrt(std::max(0.0, sq / double(p.size()) - mean * mean));
        INFO(name);
        if (name.ends_with("bias")) {
            CHECK(sq == 0.0);
        } else if (p.shape().size() == 1) {
            CHECK(std::abs(mean - 1.0) < 0.02);
        } else if (p.size() > 2000) {
            CHECK(std::abs(mean) < 0.005);
            CHECK(sd == doctest::Approx(0.02).epsilon(0.1));
        }
    });
}

TEST_CASE("UNet gradients match finite differences (double, batch 1 and 2, BatchNorm and InstanceNorm)") {
    SUBCASE("batch norm, depth 3") {
        gan::UNet<3, 2, 1, 1, gan::BatchNorm, gan::cpu, double> g;
        gan_test::check_gradients(g, 1, 3, 1e-5);
        gan_test::check_gradients(g, 2, 4, 1e-5);
    }
    SUBCASE("instance norm, depth 4, 2 channels in, 3 out, 32x16 images") {
        gan::UNet<4, 2, 2, 3, gan::InstanceNorm, gan::cpu, double, 32, 16> g;
        gan_test::check_gradients(g, 1, 5, 1e-5);
    }
}

TEST_CASE("UNet with dropout blocks: gradients through fixed masks; train/eval switch dropout") {
    using G = gan::UNet<6, 1, 1, 1, gan::BatchNorm, gan::cpu, double>;  // dropout at level 4
    G g(7);
    int dropout_layers = 0;
    g.visit_dropout([&](auto&) { ++dropout_layers; });
    CHECK(dropout_layers == 1);
    // Draw masks once, then fix them so the finite differences see the same network.
    {
        G::input_type x(1);
        G::output_type y;
        g.forward(x, y);
        g.visit_dropout([](auto& d) { d.set_mask(d.mask()); });
    }
    gan_test::check_gradients(g, 1, 6, 1e-5);
}

TEST_CASE("PatchGAN gradients match finite differences") {
    gan::PatchGAN<2, 2, 2, gan::BatchNorm, gan::cpu, double, 32> d;
    gan_test::check_gradients(d, 2, 8, 1e-5);
}

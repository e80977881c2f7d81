// Whole models against the reference networks run by PyTorch (tools/reference/
// make_model_fixtures.py): parameters loaded by their state_dict names, one training-mode
// forward and backward; outputs, input gradients, parameter gradients and updated BatchNorm
// buffers must agree to 1e-5 (relative, whole tensor).
#include <doctest/doctest.h>

#include <gan/models/patchgan.hpp>
#include <gan/models/unet.hpp>
#include <gan/train/checkpoint.hpp>

#include "../layers/fixture.hpp"

namespace {

template <class Model>
void check_against(const std::string& fixture_name, Model& model) {
    const gan_test::Fixture fixture(fixture_name);
    fixture.load_parameters(model, "");
    model.train();
    typename Model::input_type x, dx;
    typename Model::output_type y, dy;
    fixture.load("x", x);
    fixture.load("dy", dy);
    model.zero_grad();
    model.forward(x, y);
    model.backward(dy, dx);
    fixture.expect("y", y);
    fixture.expect("dx", dx);
    if constexpr (std::is_same_v<typename Model::norm, gan::InstanceNorm>) {
        // A conv bias followed by InstanceNorm has an exactly zero gradient (the norm removes any
        // per-channel constant); both sides return rounding noise of ~1e-6 there, which has no
        // scale of its own. Such gradients are measured against the largest gradient of the model.
        double model_scale = 0;
        model.visit_parameters([&](const std::string& name, gan::Parameter<float>&) {
            for (float v : fixture.values("grad." + name)) model_scale = std::max(model_scale, double(std::abs(v)));
        });
        model.visit_parameters([&](const std::string& name, gan::Parameter<float>& p) {
            const auto expected = fixture.values("grad." + name);
            double diff = 0, scale = 0;
            for (std::size_t i = 0; i < expected.size(); ++i) {
                diff = std::max(diff, std::abs(double(p.grad()[i]) - expected[i]));
                scale = std::max(scale, double(std::abs(expected[i])));
            }
            const double error = diff / (scale < 1e-5 * model_scale ? model_scale : scale);
            INFO("grad." << name << " relative error " << error);
            CHECK(error < gan_test::parity_tolerance);
        });
    } else {
        fixture.expect_gradients_and_buffers(model, "");
    }
}

}  // namespace

TEST_CASE("UNet<6, 1> with a dropout block equals the reference UnetGenerator(1, 1, 6, ngf=1)") {
    gan::UNet<6, 1> unet;
    const gan_test::Fixture fixture("unet6_ngf1");
    int masks = 0;
    unet.visit_dropout([&](auto& dropout) {
        typename std::remove_cvref_t<decltype(dropout)>::output_type mask;
        fixture.load("mask", mask);
        dropout.set_mask(mask);
        ++masks;
    });
    CHECK(masks == 1);
    check_against("unet6_ngf1", unet);
}

TEST_CASE("UNet<5, 1, 2, 1, InstanceNorm> equals the reference with instance norm, batch 2") {
    gan::UNet<5, 1, 2, 1, gan::InstanceNorm> unet;
    check_against("unet5_ngf1_instance", unet);
}

TEST_CASE("PatchGAN<3, 2> equals the reference NLayerDiscriminator(2, ndf=2), batch 2") {
    gan::PatchGAN<3, 2, 2, gan::BatchNorm, gan::cpu, float, 32> patch;
    check_against("patchgan3_ndf2", patch);
}

TEST_CASE("a generator trained by the reference code, converted by tools/pth_to_safetensors.py, predicts as in PyTorch") {
    // reference_unet6.safetensors is the converter's output for reference_unet6.pth, a
    // UnetGenerator(1, 1, 6, ngf=1) state_dict saved by torch.save; the expected output is
    // PyTorch's in eval mode (running statistics, no dropout).
    gan::UNet<6, 1> unet;
    gan::load_generator(std::string(GAN_TEST_DATA_DIR) + "/fixtures/reference_unet6.safetensors", unet);
    unet.eval();
    const gan_test::Fixture fixture("reference_unet6_eval");
    gan::UNet<6, 1>::input_type x;
    gan::UNet<6, 1>::output_type y;
    fixture.load("x", x);
    unet.forward(x, y);
    fixture.expect("y", y);
}

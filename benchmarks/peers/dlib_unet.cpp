// The dlib peer of the comparison harness (benchmarks/compare): pix2pix's U-Net generator
// (unet_128 / unet_256, ngf 64, 1 → 1 channels) declared with dlib's DNN types, random weights,
// inference at batch 1 only: dlib's bn_ layer normalises a batch of one with its running
// statistics (it cannot train BatchNorm at batch 1), so this is the eval-mode pass, and the
// harness compares it with the eval-mode pass of the other sides. Dropout is the identity in
// eval mode and is left out.
//   gan_peer_dlib_unet --size 128|256 --mode infer --threads N --runs R --warmup W
// Threads: dlib's CPU convolutions are im2col + BLAS; the driver sets OPENBLAS_NUM_THREADS and
// OMP_NUM_THREADS and puts OpenBLAS first on LD_LIBRARY_PATH when it is installed.
#include <dlib/dnn.h>

#include <type_traits>

#include "../harness/harness_common.hpp"

namespace {

using namespace dlib;

template <int ID>
struct tag {
    template <typename S>
    using type = add_tag_layer<ID, S>;
};

// 4×4, stride 2, padding 1 convolutions: down halves the size, up doubles it.
template <long N, typename S>
using down = add_layer<con_<N, 4, 4, 2, 2, 1, 1>, S>;
template <long N, typename S>
using up = add_layer<cont_<N, 4, 4, 2, 2, 1, 1>, S>;

constexpr long ngf = 64;
constexpr long width(int level) { return ngf * (level >= 3 ? 8 : (1L << level)); }  // inner channels

// UnetSkipConnectionBlock at `Level` of a net with `Depth` levels, wrapped around IN (the type
// of the block's input). dlib nets are written from the output inwards.
template <int Depth, int Level>
struct block {
    static constexpr long inner = width(Level);
    static constexpr long outer = width(Level - 1);
    template <typename IN>
    using skip_in = typename tag<100 + Level>::template type<leaky_relu<IN>>;
    template <typename IN>
    using inner_out = typename block<Depth, Level + 1>::template type<bn_con<down<inner, skip_in<IN>>>>;
    template <typename IN>
    using type = add_layer<concat_<tag<100 + Level>::template type, tag<200 + Level>::template type>,
                           typename tag<200 + Level>::template type<bn_con<up<outer, relu<inner_out<IN>>>>>>;
};

// The innermost block: no norm after the down-convolution.
template <int Depth>
struct block<Depth, Depth - 1> {
    static constexpr int Level = Depth - 1;
    static constexpr long inner = width(Level);
    static constexpr long outer = width(Level - 1);
    template <typename IN>
    using skip_in = typename tag<100 + Level>::template type<leaky_relu<IN>>;
    template <typename IN>
    using type = add_layer<concat_<tag<100 + Level>::template type, tag<200 + Level>::template type>,
                           typename tag<200 + Level>::template type<bn_con<up<outer, relu<down<inner, skip_in<IN>>>>>>>;
};

// The outermost block: no skip, tanh.
template <int Depth>
using unet = htan<up<1, relu<typename block<Depth, 1>::template type<down<ngf, input<matrix<float>>>>>>>;

template <class Net>
int run(const harness::Args& args, double gflop) {
    Net net;
    // The reference has no conv biases before BatchNorm.
    disable_duplicative_biases(net);
    matrix<float> image(args.size, args.size);
    dlib::rand rng(7);
    for (long r = 0; r < image.nr(); ++r)
        for (long c = 0; c < image.nc(); ++c) image(r, c) = float(rng.get_random_float() * 2 - 1);
    resizable_tensor x;
    net.to_tensor(&image, &image + 1, x);
    net.forward(x);  // allocates and randomly initialises the weights
    // Random weights as the reference initialises them: N(0, 0.02) for convolutions, N(1, 0.02)
    // for the norms' scales (their shifts, the second half of bn_'s parameters, stay 0).
    visit_computational_layers(net, [&](auto& layer) {
        tensor& p = layer.get_layer_params();
        float* d = p.host();
        constexpr bool norm = std::is_same_v<std::decay_t<decltype(layer)>, bn_<CONV_MODE>>;
        for (size_t i = 0; i < p.size(); ++i)
            d[i] = norm ? (i < p.size() / 2 ? float(1 + rng.get_random_gaussian() * 0.02) : 0.0f)
                        : float(rng.get_random_gaussian() * 0.02);
    });
    const tensor& y = net.forward(x);
    std::fprintf(stderr, "dlib U-Net: %zu parameters, output %ld x %ld x %ld x %ld\n", count_parameters(net),
                 long(y.num_samples()), long(y.k()), long(y.nr()), long(y.nc()));
    if (y.k() != 1 || y.nr() != args.size || y.nc() != args.size) return 1;
    const auto s = harness::sample(args, [&] { net.forward(x); });
    harness::report("dlib", args, s, gflop);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const auto args = harness::parse(argc, argv);
    if (args.mode != "infer") {
        std::fprintf(stderr, "dlib peer: inference only (dlib cannot train BatchNorm at batch 1)\n");
        return 3;
    }
    // GFLOP as gan counts them (2 × MAC, padding taps counted): UNet<7,64> and UNet<8,64>.
    if (args.size == 128) return run<unet<7>>(args, 2.961);
    if (args.size == 256) return run<unet<8>>(args, 11.895);
    std::fprintf(stderr, "--size must be 128 or 256\n");
    return 2;
}

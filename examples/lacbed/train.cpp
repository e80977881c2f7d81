// lacbed train: pix2pix training on a folder of input images and a folder of targets.
#include <atomic>
#include <csignal>
#include <iostream>
#include <memory>

#include <gan/train/trainer.hpp>

#include "arguments.hpp"
#include "commands.hpp"
#include "configurations.hpp"
#include "images.hpp"
#include "precision.hpp"

namespace lacbed {

namespace {

std::atomic<bool> interrupted{false};
extern "C" void on_interrupt(int) { interrupted = true; }

// Ctrl-C finishes the current iteration and checkpoints while training runs; before and after
// (the pipeline's other stages) it stops the program as usual.
class StopOnInterrupt {
public:
    StopOnInterrupt() : previous_(std::signal(SIGINT, on_interrupt)) {}
    ~StopOnInterrupt() { std::signal(SIGINT, previous_); }
    StopOnInterrupt(const StopOnInterrupt&) = delete;
    StopOnInterrupt& operator=(const StopOnInterrupt&) = delete;

private:
    void (*previous_)(int);
};

template <class Config>
int train_with(const Arguments& args) {
    using G = typename Config::generator;
    const auto pairs = pair_images(args.get("inputs"), args.get("targets"));
    gan::PairedImages<G> data;
    data.inputs.resize(pairs.size());
    data.targets.resize(pairs.size());
    for (std::size_t i = 0; i < pairs.size(); ++i) {
        put_image(read_image(pairs[i].first), data.inputs, i, pairs[i].first);
        put_image(read_image(pairs[i].second), data.targets, i, pairs[i].second);
        data.names.push_back(pairs[i].first.stem().string());
    }
    std::cerr << "lacbed train: " << pairs.size() << " pairs, " << G::description() << "\n";

    gan::Pix2PixOptions options;
    options.lr = args.number("lr");
    options.lambda_l1 = args.number("lambda");
    options.seed = std::uint64_t(args.integer("seed"));
    const std::string loss = args.get("gan-loss");
    if (loss != "vanilla" && loss != "lsgan") throw usage_error("--gan-loss is vanilla or lsgan, not '" + loss + "'");
    options.gan_loss = loss == "vanilla" ? gan::GanLoss::vanilla : gan::GanLoss::lsgan;
    const std::string moments = args.get("adam-moments");
    if (moments != "full" && moments != "bfloat16")
        throw usage_error("--adam-moments is full or bfloat16, not '" + moments + "'");
    options.adam_moments = moments == "full" ? gan::AdamMoments::full : gan::AdamMoments::bfloat16;

    gan::TrainerOptions trainer;
    trainer.n_epochs = int(args.integer("epochs"));
    trainer.n_epochs_decay = int(args.integer("decay-epochs"));
    trainer.batch_size = std::size_t(args.integer("batch", 1));
    trainer.checkpoint_every = args.integer("checkpoint-every");
    trainer.output_dir = args.get("output");
    trainer.data_seed = options.seed;
    trainer.stop_requested = [] { return interrupted.load(); };

    // Pix2Pix is large and must not move (its optimisers point into it): keep it on the heap.
    auto model = std::make_unique<typename Config::model>(options);
    gan::TrainingProgress start;
    const auto checkpoint = trainer.output_dir / "checkpoint.safetensors";
    if (args.flag_set("resume") && std::filesystem::exists(checkpoint)) {
        start = gan::load_checkpoint(checkpoint, *model);
        std::cerr << "lacbed train: resuming from " << checkpoint.string() << " after " << start.iterations
                  << " iterations\n";
    } else if (std::filesystem::exists(checkpoint) && !args.flag_set("resume")) {
        throw gan::io_error("'" + checkpoint.string() + "' exists: pass --resume to continue that run, or choose "
                            "another --output folder");
    }
    const StopOnInterrupt stop_on_interrupt;
    if (args.flag_set("bf16")) report_bfloat16_products("train");
    const gan::Autocast products(args.flag_set("bf16") ? gan::ProductPrecision::bfloat16 : gan::ProductPrecision::float32);
    const auto result = gan::fit(*model, data, trainer, start);
    if (!result.completed) {
        std::cerr << "lacbed train: stopped after " << result.progress.iterations << " iterations; "
                  << "continue with the same command and --resume\n";
        return 130;
    }
    std::cerr << "lacbed train: done; model " << (trainer.output_dir / "generator.safetensors").string() << ", losses "
              << (trainer.output_dir / "losses.png").string() << "\n";
    return 0;
}

}  // namespace

int train_command(const std::vector<std::string>& raw) {
    Arguments args("train",
                   "Trains a pix2pix U-Net generator against a 70x70 PatchGAN on image pairs (files of the same\n"
                   "name in --inputs and --targets; .npy, .png or .bin; values 0..1). Writes checkpoint,\n"
                   "losses.csv, losses.png and generator.safetensors into --output. Ctrl-C stops after the\n"
                   "current iteration with a checkpoint; --resume continues bit-identically.");
    args.option("inputs", "folder of input images", "", true)
        .option("targets", "folder of target images", "", true)
        .option("output", "folder for the results", "", true)
        .option("config", "model configuration: " + configuration_names(), default_configuration)
        .option("epochs", "epochs at the full learning rate", "100")
        .option("decay-epochs", "epochs of linear decay to zero", "100")
        .option("batch", "batch size", "1")
        .option("lr", "Adam learning rate", "0.0002")
        .option("lambda", "weight of the L1 term", "100")
        .option("gan-loss", "vanilla (BCE, pix2pix) or lsgan (MSE)", "vanilla")
        .option("adam-moments", "full (PyTorch's Adam) or bfloat16 (lower precision, half the optimiser memory)",
                "full")
        .option("seed", "seed of weights, dropout and data order", "0")
        .option("checkpoint-every", "iterations between checkpoints (0: epoch ends only)", "1000")
        .flag("bf16", "the large convolutions' products on bfloat16 operands (lower precision; faster on CPUs with AMX)")
        .flag("resume", "continue from the checkpoint in --output");
    if (!args.parse(raw, std::cout)) return 0;
    int status = 0;
    with_configuration(args.get("config"), [&](auto config) { status = train_with<decltype(config)>(args); });
    return status;
}

}  // namespace lacbed

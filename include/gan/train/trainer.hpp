#pragma once
// The training loop around gan::Pix2Pix: epochs over a PairedImages set with pix2pix's schedule
// (constant learning rate, then linear decay), batches, per-iteration losses in losses.csv, a
// progress bar with ETA, checkpoints, a loss-curve PNG and the final model file.
//
// Output folder:
//   checkpoint.safetensors   everything needed to resume; written every `checkpoint_every`
//                            iterations, at each epoch's end and when stopped
//   losses.csv               iteration, epoch, lr, G_GAN, G_L1, D_real, D_fake, seconds
//   losses.png               the loss curves (log scale, smoothed)
//   generator.safetensors    the trained generator (lacbed predict --model ...)
//
// A loss that is NaN or infinite stops training with an error naming the iteration; the last
// checkpoint on disk is the last good state. Needs libpng (link gan::png) for losses.png.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "gan/core/error.hpp"
#include "gan/core/progress.hpp"
#include "gan/io/atomic_file.hpp"
#include "gan/io/plot.hpp"
#include "gan/io/png.hpp"
#include "gan/optim/linear_decay.hpp"
#include "gan/train/checkpoint.hpp"
#include "gan/train/paired_images.hpp"
#include "gan/train/pix2pix.hpp"

GAN_NAMESPACE_BEGIN

struct TrainerOptions {
    int n_epochs = 100;              // at the full learning rate
    int n_epochs_decay = 100;        // then linearly to zero
    std::size_t batch_size = 1;
    std::filesystem::path output_dir = "training";
    std::int64_t checkpoint_every = 1000;  // iterations (0: only at epoch ends)
    bool shuffle = true;
    std::uint64_t data_seed = 0;
    bool show_progress = true;
    // Polled after every iteration; returning true checkpoints and returns (Ctrl-C, a time limit).
    std::function<bool()> stop_requested;
};

struct TrainingResult {
    TrainingProgress progress;
    bool completed = false;  // false when stopped early
    Pix2PixLosses last;
};

// The error for a diverged run: says where, and which checkpoint is the last good state.
class training_diverged : public error {
public:
    using error::error;
};

namespace detail {

struct LossRow {
    std::int64_t iteration = 0, epoch = 0;
    double lr = 0, g_gan = 0, g_l1 = 0, d_real = 0, d_fake = 0, seconds = 0;
};

inline constexpr const char* loss_csv_header = "iteration,epoch,lr,G_GAN,G_L1,D_real,D_fake,seconds";

inline std::vector<LossRow> read_loss_rows(const std::filesystem::path& path) {
    std::vector<LossRow> rows;
    std::ifstream in(path);
    std::string line;
    if (!std::getline(in, line)) return rows;
    while (std::getline(in, line)) {
        LossRow r;
        char comma;
        std::istringstream fields(line);
        if (fields >> r.iteration >> comma >> r.epoch >> comma >> r.lr >> comma >> r.g_gan >> comma >> r.g_l1 >> comma >>
            r.d_real >> comma >> r.d_fake >> comma >> r.seconds)
            rows.push_back(r);
    }
    return rows;
}

inline void write_loss_rows(const std::filesystem::path& path, const std::vector<LossRow>& rows) {
    io::write_atomically(path, [&](std::ostream& out) {
        out << loss_csv_header << "\n";
        out.precision(9);
        for (const auto& r : rows)
            out << r.iteration << "," << r.epoch << "," << r.lr << "," << r.g_gan << "," << r.g_l1 << "," << r.d_real << ","
                << r.d_fake << "," << r.seconds << "\n";
    });
}

inline void plot_loss_rows(const std::filesystem::path& path, const std::vector<LossRow>& rows) {
    if (rows.empty()) return;
    io::Series g_gan{"G_GAN", {}, io::palette(0)}, g_l1{"G_L1", {}, io::palette(1)}, d_real{"D_real", {}, io::palette(2)},
        d_fake{"D_fake", {}, io::palette(3)};
    for (const auto& r : rows) {
        g_gan.values.push_back(r.g_gan);
        g_l1.values.push_back(r.g_l1);
        d_real.values.push_back(r.d_real);
        d_fake.values.push_back(r.d_fake);
    }
    io::LinePlotOptions options;
    options.title = "pix2pix losses";
    options.log_y = true;
    options.smoothing = std::max<std::size_t>(1, rows.size() / 100);
    io::write_png(path, io::plot_lines({g_gan, g_l1, d_real, d_fake}, options));
}

}  // namespace detail

// Trains `model` on `data` from `start` (a fresh run, or what load_checkpoint returned).
template <class G, class D>
TrainingResult fit(Pix2Pix<G, D>& model, const PairedImages<G>& data, const TrainerOptions& options,
                   TrainingProgress start = {}) {
    namespace fs = std::filesystem;
    if (data.size() == 0) throw invalid_argument("gan::fit: the training set is empty");
    if (options.batch_size == 0) throw invalid_argument("gan::fit: the batch size must be at least 1");
    if (options.n_epochs < 0 || options.n_epochs_decay < 0)
        throw invalid_argument("gan::fit: epoch counts must be >= 0");
    fs::create_directories(options.output_dir);
    const fs::path checkpoint = options.output_dir / "checkpoint.safetensors";
    const fs::path csv = options.output_dir / "losses.csv";

    // Rows logged after the checkpoint we resume from belong to a future that is about to be
    // recomputed: drop them.
    std::vector<detail::LossRow> rows;
    for (const auto& r : detail::read_loss_rows(csv))
        if (r.iteration <= start.iterations) rows.push_back(r);
    detail::write_loss_rows(csv, rows);
    std::ofstream log(csv, std::ios::app);
    log.precision(9);

    const LinearDecay schedule{options.n_epochs, options.n_epochs_decay, 1};
    const std::int64_t epochs = options.n_epochs + options.n_epochs_decay;
    const std::size_t per_epoch = (data.size() + options.batch_size - 1) / options.batch_size;
    const std::size_t total = std::size_t(epochs) * per_epoch;
    Progress::Options progress_options;
    std::ostream silent(nullptr);  // a stream without a buffer drops everything
    if (!options.show_progress) progress_options.out = &silent;
    progress_options.interactive = options.show_progress && ::isatty(STDERR_FILENO) == 1;
    Progress bar("training", total, progress_options);
    bar.resume_from(std::size_t(start.epoch) * per_epoch + std::size_t(start.iteration_in_epoch));

    TrainingResult result;
    TrainingProgress at = start;
    typename G::input_type a;
    typename G::output_type b;
    const auto started = std::chrono::steady_clock::now();
    for (; at.epoch < epochs; ++at.epoch, at.iteration_in_epoch = 0) {
        const double lr = schedule.lr(model.options().lr, int(at.epoch));
        model.set_lr(lr);
        const auto order = epoch_order(data.size(), options.data_seed, at.epoch, options.shuffle);
        for (; std::size_t(at.iteration_in_epoch) < per_epoch; ++at.iteration_in_epoch) {
            const std::size_t first = std::size_t(at.iteration_in_epoch) * options.batch_size;
            const std::size_t count = std::min(options.batch_size, data.size() - first);
            data.gather(order.data() + first, count, a, b);
            const Pix2PixLosses losses = model.train_step(a, b);
            if (!losses.finite()) {
                std::ostringstream message;
                message << "training diverged at epoch " << at.epoch + 1 << ", iteration " << at.iterations + 1
                        << ": G_GAN " << losses.g_gan << ", G_L1 " << losses.g_l1 << ", D_real " << losses.d_real
                        << ", D_fake " << losses.d_fake << ". The last good state is " << checkpoint.string()
                        << " (resume from it with a lower learning rate, or check the data for NaN)";
                throw training_diverged(message.str());
            }
            ++at.iterations;
            result.last = losses;
            const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
            const detail::LossRow row{at.iterations, at.epoch + 1, lr, losses.g_gan, losses.g_l1, losses.d_real,
                                      losses.d_fake, seconds};
            rows.push_back(row);
            log << row.iteration << "," << row.epoch << "," << row.lr << "," << row.g_gan << "," << row.g_l1 << ","
                << row.d_real << "," << row.d_fake << "," << row.seconds << "\n";
            char note[96];
            std::snprintf(note, sizeof note, "G_L1 %.4f G_GAN %.3f D %.3f", losses.g_l1, losses.g_gan,
                          0.5 * (losses.d_real + losses.d_fake));
            bar.advance(1, note);

            TrainingProgress next = at;
            ++next.iteration_in_epoch;
            if (std::size_t(next.iteration_in_epoch) == per_epoch) {
                ++next.epoch;
                next.iteration_in_epoch = 0;
            }
            const bool stop = options.stop_requested && options.stop_requested();
            if (stop || (options.checkpoint_every > 0 && at.iterations % options.checkpoint_every == 0) ||
                next.iteration_in_epoch == 0) {
                log.flush();
                save_checkpoint(checkpoint, model, next);
            }
            if (stop) {
                result.progress = next;
                detail::plot_loss_rows(options.output_dir / "losses.png", rows);
                return result;
            }
        }
    }
    bar.finish();
    log.flush();
    detail::plot_loss_rows(options.output_dir / "losses.png", rows);
    save_generator(options.output_dir / "generator.safetensors", model.generator());
    result.progress = at;
    result.completed = true;
    return result;
}

GAN_NAMESPACE_END

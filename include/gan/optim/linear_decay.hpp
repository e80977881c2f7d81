#pragma once
// pix2pix's 'linear' learning-rate policy: constant for n_epochs, then linearly towards zero
// over n_epochs_decay (networks.py get_scheduler):
//   factor(e) = 1 − max(0, e + epoch_count − n_epochs) / (n_epochs_decay + 1)
// where e counts the scheduler steps taken so far (one per finished epoch, 0 in the first).
// With the defaults the rate is lr for epochs 1..100 and lr/101 in the last one.
//
//   opt.set_lr(schedule.lr(2e-4, epochs_done));
#include <algorithm>
#include <string>

#include "gan/core/error.hpp"

GAN_NAMESPACE_BEGIN

struct LinearDecay {
    int n_epochs = 100;
    int n_epochs_decay = 100;
    int epoch_count = 1;

    double factor(int epochs_done) const {
        if (epochs_done < 0 || n_epochs_decay < 0)
            throw invalid_argument("gan::LinearDecay: epochs and n_epochs_decay must be >= 0; got epoch " +
                                   std::to_string(epochs_done));
        return 1.0 - double(std::max(0, epochs_done + epoch_count - n_epochs)) / double(n_epochs_decay + 1);
    }
    double lr(double base_lr, int epochs_done) const { return base_lr * factor(epochs_done); }
};

GAN_NAMESPACE_END

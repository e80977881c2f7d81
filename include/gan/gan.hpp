#pragma once
// The whole gan library: #include <gan/gan.hpp>.
// Folders follow the architecture, bottom up: core (tensors, shapes, backends, random numbers),
// kernels, layers, losses, optim, models, train, io, physics. Each header holds one concept and
// can be included on its own.
#include "gan/version.hpp"

#include "gan/core/backend.hpp"
#include "gan/core/dynamic_tensor.hpp"
#include "gan/core/error.hpp"
#include "gan/core/init.hpp"
#include "gan/core/progress.hpp"
#include "gan/core/random.hpp"
#include "gan/core/shape.hpp"
#include "gan/core/tensor.hpp"
#include "gan/core/transfer.hpp"

#include "gan/kernels/activation.hpp"
#include "gan/kernels/elementwise.hpp"
#include "gan/kernels/gemm.hpp"
#include "gan/kernels/im2col.hpp"
#include "gan/kernels/loss.hpp"
#include "gan/kernels/norm.hpp"
#include "gan/kernels/optim.hpp"

#include "gan/layers/activation.hpp"
#include "gan/layers/batch_norm2d.hpp"
#include "gan/layers/concat.hpp"
#include "gan/layers/conv2d.hpp"
#include "gan/layers/conv_transpose2d.hpp"
#include "gan/layers/dropout.hpp"
#include "gan/layers/instance_norm2d.hpp"
#include "gan/layers/parameter.hpp"

#include "gan/losses/bce_with_logits.hpp"
#include "gan/losses/l1.hpp"
#include "gan/losses/mse.hpp"

#include "gan/optim/adam.hpp"
#include "gan/optim/linear_decay.hpp"
#include "gan/optim/parameter_list.hpp"
#include "gan/optim/sgd.hpp"

#include "gan/io/atomic_file.hpp"
#include "gan/io/felix_bin.hpp"
#include "gan/io/npy.hpp"
#include "gan/io/plot.hpp"
#include "gan/io/raster.hpp"
#include "gan/io/safetensors.hpp"

#include "gan/train/metrics.hpp"
// gan/io/png.hpp is not included here: it needs libpng (link gan::png).

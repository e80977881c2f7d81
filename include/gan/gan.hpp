#pragma once
// The whole gan library: #include <gan/gan.hpp>.
// Folders follow the architecture, bottom up: core (tensors, shapes, backends, random numbers),
// kernels, layers, losses, optim, models, train, io, physics. Each header holds one concept and
// can be included on its own.
#include "gan/version.hpp"

#include "gan/core/autocast.hpp"
#include "gan/core/backend.hpp"
#include "gan/core/bfloat16.hpp"
#include "gan/core/dynamic_tensor.hpp"
#include "gan/core/error.hpp"
#include "gan/core/init.hpp"
#include "gan/core/progress.hpp"
#include "gan/core/random.hpp"
#include "gan/core/scratch.hpp"
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
#include "gan/layers/sequential.hpp"

#include "gan/losses/bce_with_logits.hpp"
#include "gan/losses/l1.hpp"
#include "gan/losses/mse.hpp"

#include "gan/optim/adam.hpp"
#include "gan/optim/linear_decay.hpp"
#include "gan/optim/parameter_list.hpp"
#include "gan/optim/sgd.hpp"

#include "gan/models/init.hpp"
#include "gan/models/norm.hpp"
#include "gan/models/patchgan.hpp"
#include "gan/models/unet.hpp"

#include "gan/io/atomic_file.hpp"
#include "gan/io/felix_bin.hpp"
#include "gan/io/figures.hpp"
#include "gan/io/npy.hpp"
#include "gan/io/plot.hpp"
#include "gan/io/raster.hpp"
#include "gan/io/safetensors.hpp"

#include "gan/train/checkpoint.hpp"
#include "gan/train/metrics.hpp"
#include "gan/train/paired_images.hpp"
#include "gan/train/pix2pix.hpp"
#include "gan/train/state_dict.hpp"

#include "gan/physics/beams.hpp"
#include "gan/physics/bird_king.hpp"
#include "gan/physics/bloch.hpp"
#include "gan/physics/constants.hpp"
#include "gan/physics/crystal.hpp"
#include "gan/physics/dataset.hpp"
#include "gan/physics/felix_input.hpp"
#include "gan/physics/lacbed.hpp"
#include "gan/physics/prototypes.hpp"
#include "gan/physics/scattering_factors.hpp"
#include "gan/physics/structure_factor.hpp"
#include "gan/physics/structure_image.hpp"

// Not included here, because they need more than gan::gan:
//   gan/io/png.hpp, gan/train/trainer.hpp   libpng (link gan::png)
//   gan/physics/cif.hpp                     gemmi (Debian's gemmi-dev), slow to compile
//   gan/backends/cuda.hpp                   the CUDA runtime (link gan::cuda)

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

#include "gan/kernels/gemm.hpp"
#include "gan/io/atomic_file.hpp"
#include "gan/io/felix_bin.hpp"
#include "gan/io/npy.hpp"
#include "gan/io/plot.hpp"
#include "gan/io/raster.hpp"
#include "gan/io/safetensors.hpp"

#include "gan/train/metrics.hpp"
// gan/io/png.hpp is not included here: it needs libpng (link gan::png).

#pragma once
// Eigen, for the physics: dense complex and real matrices and their eigensolvers. Included through
// here so that GCC 12's false AVX-512 warnings inside Eigen stay silenced (compiler_warnings.hpp).
#include "gan/core/compiler_warnings.hpp"

GAN_SIMD_KERNELS_BEGIN
#include <Eigen/Dense>
GAN_SIMD_KERNELS_END

#pragma once
// What lacbed says when --bf16 asks for gan::Autocast's bfloat16 products: whether this machine
// runs them faster than float32 (AMX tiles) or only rounds differently at about float32's speed.
#include <iostream>
#include <string>

#include <gan/kernels/gemm.hpp>

namespace lacbed {

inline void report_bfloat16_products(const std::string& command) {
    using gan::kernels::Bf16Arithmetic;
    std::cerr << "lacbed " << command << ": --bf16: the convolutions' products on bfloat16 operands (lower precision), ";
    switch (gan::kernels::default_bf16_arithmetic()) {
    case Bf16Arithmetic::amx_tiles: std::cerr << "on this processor's AMX tiles\n"; break;
    case Bf16Arithmetic::dot_products: std::cerr << "with AVX-512 BF16 dot products (GAN_BF16_ARITHMETIC)\n"; break;
    default:
        std::cerr << "as float FMAs on widened values: this processor has no AMX tiles, so no faster than "
                     "float32; only the rounding changes\n";
    }
}

}  // namespace lacbed

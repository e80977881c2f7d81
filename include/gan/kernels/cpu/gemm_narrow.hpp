#pragma once
// The product with a pre-packed A when C has at most four columns (a GEMV, a 2×2 image): a
// register tile a whole vector wide would leave most lanes idle, and these products are bound by
// reading A anyway. Instead the kernel reads the packed A panel as it lies, G = lcm(MR, W) values
// (G / MR k-steps of MR rows) per VG = G / W vectors, and multiplies it lane by lane with B
// expanded to the same pattern (each B value repeated MR times). Lanes are summed per row once, at
// the end, in lane order, so results are deterministic.
#include <cstddef>
#include <numeric>

#include "gan/kernels/cpu/gemm_pack.hpp"
#include "gan/kernels/cpu/simd.hpp"

GAN_NAMESPACE_BEGIN
namespace kernels::cpu_detail {

template <class T, std::size_t MR>
struct narrow_layout {
    static constexpr std::size_t width = simd<T>::width;
    static constexpr std::size_t group = std::lcm(MR, width);  // values of A per step
    static constexpr std::size_t vectors = group / width;
    static constexpr std::size_t k_steps = group / MR;
    static constexpr std::size_t max_columns = 4;
};

// Expands rows [0, k) of op(B)'s first `cols` columns: for each group of k_steps rows, for each
// column, `group` values, the value of row (l / MR) at lane l. Rows past the last whole group are
// read from B directly by the kernel.
template <class T, std::size_t MR>
void expand_b_narrow(operand<T> b, std::size_t k, std::size_t cols, T* dst) {
    using L = narrow_layout<T, MR>;
    for (std::size_t g = 0; g < k / L::k_steps; ++g)
        for (std::size_t j = 0; j < cols; ++j, dst += L::group)
            for (std::size_t l = 0; l < L::group; ++l) dst[l] = *b.at(g * L::k_steps + l / MR, j);
}

// Adds `groups` groups of one packed A panel (a) times the expanded B (bexp) into the panel's lane
// sums, kept in `state` (JB × group values) between K steps so that each K step streams A
// through all panels in memory order.
template <class T, std::size_t MR, std::size_t JB>
void narrow_accumulate(std::size_t groups, const T* a, const T* bexp, T* state, bool first) {
    using L = narrow_layout<T, MR>;
    using S = simd<T>;
    using V = typename S::vector;
    V acc[JB][L::vectors];
#pragma GCC unroll 4
    for (std::size_t j = 0; j < JB; ++j)
#pragma GCC unroll 8
        for (std::size_t v = 0; v < L::vectors; ++v)
            acc[j][v] = first ? S::zero() : S::load_aligned(state + j * L::group + v * L::width);
    for (std::size_t g = 0; g < groups; ++g, a += L::group, bexp += JB * L::group) {
        V av[L::vectors];
#pragma GCC unroll 8
        for (std::size_t v = 0; v < L::vectors; ++v) av[v] = S::load_unaligned(a + v * L::width);
#pragma GCC unroll 4
        for (std::size_t j = 0; j < JB; ++j)
#pragma GCC unroll 8
            for (std::size_t v = 0; v < L::vectors; ++v)
                acc[j][v] = S::fma(av[v], S::load_aligned(bexp + j * L::group + v * L::width), acc[j][v]);
    }
#pragma GCC unroll 4
    for (std::size_t j = 0; j < JB; ++j)
#pragma GCC unroll 8
        for (std::size_t v = 0; v < L::vectors; ++v) S::store_aligned(acc[j][v], state + j * L::group + v * L::width);
}

// Sums a panel's lanes per row, in lane order, adds the `tail` k-steps past the last whole group
// (packed A values at a_tail, rows p_tail.. of op(B)) and stores rows [0, rows) of the panel.
template <class T, std::size_t MR, std::size_t JB>
void narrow_finish(const T* state, std::size_t tail, const T* a_tail, operand<T> b, std::size_t p_tail, T* c,
                   std::size_t ldc, std::size_t rows, bool accumulate) {
    using L = narrow_layout<T, MR>;
    T sum[JB][MR] = {};
    for (std::size_t j = 0; j < JB; ++j)
        for (std::size_t s = 0; s < L::k_steps; ++s)
            for (std::size_t r = 0; r < MR; ++r) sum[j][r] += state[j * L::group + s * MR + r];
    for (std::size_t p = 0; p < tail; ++p)
        for (std::size_t j = 0; j < JB; ++j) {
            const T bv = *b.at(p_tail + p, j);
            for (std::size_t r = 0; r < MR; ++r) sum[j][r] += a_tail[p * MR + r] * bv;
        }
    for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t j = 0; j < JB; ++j) {
            T& dst = c[r * ldc + j];
            dst = accumulate ? dst + sum[j][r] : sum[j][r];
        }
}

}  // namespace kernels::cpu_detail
GAN_NAMESPACE_END

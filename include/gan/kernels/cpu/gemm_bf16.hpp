#pragma once
// The bfloat16 product of the convolutions under gan::Autocast (core/autocast.hpp), in inference and training:
//
//   C[M×N] (+)= A[M×K] · op(B)[K×N]  A rounded to bfloat16 once (BFloat16A): a layer's weights,
//                                    or, for a weight gradient, the activation gradient;
//                                    B an activation (or its columns), rounded as it is packed,
//                                    at every call
//
// Each product of two bfloat16 values is exact in float32 (8 × 8 significant bits), and the sums
// are float32: what is lost is the operands' rounding, a relative 2^-9 at most per value. That is
// lower precision than gemm, and only offered on request.
//
// Three arithmetics over the same packed operands (Bf16Arithmetic):
//  - AMX-BF16 tiles (Intel Xeon since Sapphire Rapids), where Linux grants the process its tile
//    registers: one TDPBF16PS multiplies a 16 × 32 block of A by a 32 × 16 block of B, 16 384
//    floating-point operations, and an Intel Xeon VM ran 2.2 TFLOP/s per core from L1 with them
//    (2026-12-07), ten times its float32 FMA peak;
//  - AVX-512 BF16's VDPBF16PS (AMD Zen 4 and 5, Intel Cooper Lake and later): 16 pairs of
//    products added into 16 float sums per instruction, where an FMA does 16 products;
//  - widened: each bfloat16 made a float (a shift) and multiplied with float FMAs, in compiler
//    vectors that build on every target, each pair's products added in the order VDPBF16PS is
//    documented to take (odd element first): the same bits as VDPBF16PS on the Intel Xeon VM
//    (but for subnormal values, which VDPBF16PS and the tiles flush to zero).
// By default (Bf16Arithmetic::automatic) the tiles where they run, otherwise the widened
// arithmetic: on that VM, the tiles off, VDPBF16PS ran at half the rate of an FMA (101 against
// 200 GFLOP/s in a loop of independent instructions) and its products at three quarters of the
// widened ones' speed, which reach 0.8–0.9 of gemm's float32 (docs/kernels.md). Zen 4 and 5 are not
// measured: ask for dot_products there, or set GAN_BF16_ARITHMETIC (amx_tiles, dot_products,
// widened) in the environment, which the default then follows.
//
// Layouts (both zero-padded, so that every tile is whole):
//   A: for each 32 rows (two row tiles) and each 32 values of K, a 16 × 32 tile per row tile,
//      row after row: tile (i, kb) at a + (i * kblocks + kb) * 512, i counting 16-row tiles.
//   B: for each 16 columns and each 32 values of K, 16 rows of K pairs (p, p + 1), each holding
//      the pair for 16 columns side by side, as TDPBF16PS reads it: tile (j, kb) at
//      b + (kb * tiles + j) * 512, the tiles of a K block side by side, so that packing writes
//      each pair of B's rows into neighbouring tiles (tile by tile, K block after K block, the
//      writes of one row pair went to tiles a page or more apart: twice the time).
#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <numeric>
#include <string>

#include "gan/core/bfloat16.hpp"
#include "gan/core/error.hpp"
#include "gan/kernels/cpu/gemm_driver.hpp"
#include "gan/kernels/gemm_shape.hpp"

// The dot-product and tile code: x86-64 with a compiler that knows their intrinsics, and for the
// tiles Linux, which hands out their register state on request.
#if defined(__x86_64__) && \
    ((defined(__clang__) && __clang_major__ >= 12) || (!defined(__clang__) && defined(__GNUC__) && __GNUC__ >= 11))
#include <immintrin.h>
#define GAN_HAVE_BF16_DOT_CODE 1
#if defined(__linux__)
#include <cpuid.h>
#include <sys/syscall.h>
#include <unistd.h>
#define GAN_HAVE_AMX_CODE 1
#endif
#endif

GAN_NAMESPACE_BEGIN
namespace kernels {

// The arithmetic of gemm_bf16 (see the top of this file).
enum class Bf16Arithmetic {
    automatic,     // the tiles where this machine and process can run them, else widened
    amx_tiles,     // AMX-BF16 tiles
    dot_products,  // AVX-512 BF16's VDPBF16PS
    widened,       // float FMAs on widened values: every machine
};

inline const char* to_string(Bf16Arithmetic arithmetic) {
    switch (arithmetic) {
    case Bf16Arithmetic::amx_tiles: return "amx_tiles";
    case Bf16Arithmetic::dot_products: return "dot_products";
    case Bf16Arithmetic::widened: return "widened";
    default: return "automatic";
    }
}

namespace cpu_detail {

inline constexpr std::size_t bf16_tile_rows = 16, bf16_tile_depth = 32, bf16_tile_values = 512;
// C's block: two row tiles by two column tiles (32 × 32 floats).
inline constexpr std::size_t bf16_block = 2 * bf16_tile_rows;

// Whether this process may run AMX-BF16 tiles: the processor has them (CPUID leaf 7: AMX-TILE,
// EDX bit 24; AMX-BF16, bit 22) and Linux (5.16 and later) grants the process their 8 KiB of
// register state, which it must ask for once (arch_prctl ARCH_REQ_XCOMP_PERM for XTILEDATA).
// Setting GAN_NO_AMX in the environment leaves them out, to compare the arithmetics.
inline bool amx_bf16_usable() {
#if defined(GAN_HAVE_AMX_CODE)
    static const bool usable = [] {
        if (const char* off = std::getenv("GAN_NO_AMX"); off && *off && std::string(off) != "0") return false;
        unsigned a = 0, b = 0, c = 0, d = 0;
        if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return false;
        if (!(d & (1u << 24)) || !(d & (1u << 22))) return false;
        constexpr long arch_req_xcomp_perm = 0x1023, xfeature_xtiledata = 18;
        return syscall(SYS_arch_prctl, arch_req_xcomp_perm, xfeature_xtiledata) == 0;
    }();
    return usable;
#else
    return false;
#endif
}

// Whether this processor has AVX-512 BF16 (and the operating system keeps AVX-512 state).
inline bool bf16_dot_products_usable() {
#if defined(GAN_HAVE_BF16_DOT_CODE)
    static const bool usable = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bf16");
    return usable;
#else
    return false;
#endif
}

inline bool bf16_arithmetic_usable(Bf16Arithmetic arithmetic) {
    switch (arithmetic) {
    case Bf16Arithmetic::amx_tiles: return amx_bf16_usable();
    case Bf16Arithmetic::dot_products: return bf16_dot_products_usable();
    default: return true;
    }
}

// GAN_BF16_ARITHMETIC from the environment, read once: automatic where unset.
inline Bf16Arithmetic bf16_arithmetic_from_environment() {
    static const Bf16Arithmetic chosen = [] {
        const char* name = std::getenv("GAN_BF16_ARITHMETIC");
        if (!name || !*name || std::string(name) == "automatic") return Bf16Arithmetic::automatic;
        for (const Bf16Arithmetic arithmetic :
             {Bf16Arithmetic::amx_tiles, Bf16Arithmetic::dot_products, Bf16Arithmetic::widened})
            if (std::string(name) == to_string(arithmetic)) return arithmetic;
        throw invalid_argument(std::string("GAN_BF16_ARITHMETIC=") + name +
                               ": set it to automatic, amx_tiles, dot_products or widened, or unset it");
    }();
    return chosen;
}

// The arithmetic a product asked for runs with: automatic resolved (see the top of this file).
inline Bf16Arithmetic bf16_arithmetic(Bf16Arithmetic asked) {
    const bool from_environment = asked == Bf16Arithmetic::automatic;
    if (from_environment) asked = bf16_arithmetic_from_environment();
    if (asked == Bf16Arithmetic::automatic) return amx_bf16_usable() ? Bf16Arithmetic::amx_tiles : Bf16Arithmetic::widened;
    if (!bf16_arithmetic_usable(asked))
        throw invalid_argument(std::string(from_environment ? "GAN_BF16_ARITHMETIC" : "gan::kernels::gemm_bf16") +
                               ": this machine (or process) cannot run " +
                               (asked == Bf16Arithmetic::amx_tiles ? "AMX-BF16 tiles" : "AVX-512 BF16 dot products") +
                               (from_environment ? "; set it to widened, or unset it"
                                                 : "; ask for Bf16Arithmetic::automatic or widened"));
    return asked;
}

inline std::size_t bf16_blocks(std::size_t n, std::size_t block) { return (n + block - 1) / block; }

// Rounding to bfloat16 (to nearest, ties to even, NaN kept a NaN: bfloat16::nearest) of 16
// floats at once, in the compiler's vectors (GCC and Clang extensions), one AVX-512 register
// here: the bits in the low half of each word. By reference: a vector passed by value would
// make the call's ABI depend on the target (GCC's -Wpsabi).
using bf16_words = std::uint32_t __attribute__((vector_size(64)));
inline void bf16_round_words(bf16_words& w) {
    const bf16_words rounded = (w + 0x7FFFu + ((w >> 16) & 1u)) >> 16;
    w = (w & 0x7FFFFFFFu) > 0x7F800000u ? ((w >> 16) | 0x0040u) : rounded;
}

// 16 K pairs into dst: row p's values (low) and row p + 1's (high), rounded, side by side in
// each 32-bit word, low first, as TDPBF16PS reads them.
inline void bf16_pairs(const float* low, const float* high, std::uint16_t* dst) {
    bf16_words l, h;
    std::memcpy(&l, low, sizeof l);
    std::memcpy(&h, high, sizeof h);
    bf16_round_words(l);
    bf16_round_words(h);
    const bf16_words pairs = (h << 16) | (l & 0xFFFFu);
    std::memcpy(dst, &pairs, sizeof pairs);
}

// `count` ≤ 32 consecutive values rounded into 32 bfloat16 (zeros after `count`): 16 K pairs
// when the values run along K, as a row of A or a column of B stored transposed does.
inline void bf16_run(const float* src, std::size_t count, std::uint16_t* dst) {
    using halves = std::uint16_t __attribute__((vector_size(32)));
    float padded[2 * 16] = {};
    if (count < 32) {
        std::copy_n(src, count, padded);
        src = padded;
    }
    for (std::size_t half = 0; half < 2; ++half) {
        bf16_words w;
        std::memcpy(&w, src + 16 * half, sizeof w);
        bf16_round_words(w);
        const halves bits = __builtin_convertvector(w, halves);
        std::memcpy(dst + 16 * half, &bits, sizeof bits);
    }
}

// tile's 32-bit word (r, c) = words[c * 16 + r]: 16 runs of 16 words (pairs), gathered along
// the other index, turned into a tile. Four 8 × 8 transposes in registers where AVX is on.
inline void bf16_transpose_words(const std::uint32_t* words, std::uint16_t* tile) {
#if defined(GAN_PACK_AVX)
    // The loads and stores of the AVX intrinsics may alias any type.
    const float* in = reinterpret_cast<const float*>(words);
    float* out = reinterpret_cast<float*>(tile);
    for (std::size_t bi = 0; bi < 2; ++bi)
        for (std::size_t bj = 0; bj < 2; ++bj) transpose_8x8(in + bi * 128 + bj * 8, 16, out + bj * 128 + bi * 8, 16);
#else
    for (std::size_t r = 0; r < 16; ++r)
        for (std::size_t c = 0; c < 16; ++c) std::memcpy(tile + 2 * (r * 16 + c), words + c * 16 + r, 4);
#endif
}

// K pairs [pair0, pair1) of B (k × n, row p at b + p * ldb) into `tiles` ≥ n / 16 column tiles
// at dst, in the layout above. Row by row: each pair of B's rows is read as two sequential
// streams, where tile by tile would take one line from each of k rows, a page apart on wide
// images (three times slower on a 1024 × 1024 B).
inline void pack_b_bf16(const float* b, std::size_t ldb, std::size_t k, std::size_t n, std::size_t pair0,
                        std::size_t pair1, std::size_t tiles, std::uint16_t* dst) {
    static constexpr float zeros[bf16_tile_rows] = {};
    for (std::size_t pair = pair0; pair < pair1; ++pair) {
        const std::size_t p = 2 * pair, kb = p / bf16_tile_depth, row = p % bf16_tile_depth / 2;
        const float* low = p < k ? b + p * ldb : nullptr;
        const float* high = p + 1 < k ? b + (p + 1) * ldb : nullptr;
        for (std::size_t jt = 0; jt < tiles; ++jt) {
            const std::size_t c0 = jt * bf16_tile_rows, cc = c0 < n ? std::min(bf16_tile_rows, n - c0) : 0;
            const float* l = low ? low + c0 : zeros;
            const float* h = high ? high + c0 : zeros;
            std::uint16_t* out = dst + (kb * tiles + jt) * bf16_tile_values + row * bf16_tile_depth;
            if (cc == bf16_tile_rows) {
                bf16_pairs(l, h, out);
            } else {  // the last, partial tile: its columns beyond n are zeros
                float lp[bf16_tile_rows] = {}, hp[bf16_tile_rows] = {};
                std::copy_n(l, cc, lp);
                std::copy_n(h, cc, hp);
                bf16_pairs(lp, hp, out);
            }
        }
    }
}

// Tiles [unit0, unit1) (unit = column tile · K blocks + K block) of a B stored transposed
// (B(p, j) = b[j * ldb + p], k × n) into dst, in the layout above: each column's 32 K values
// are consecutive, rounded as one run, then the runs turned into the tile's rows of pairs.
// A column tile's K blocks in turn, so that its 16 stored rows are read in order (K block by
// K block across all the columns, 128 bytes of each row at a time: up to 1.5 times slower).
// (A weight gradient's columns, dW = dy · colsᵀ.)
inline void pack_b_bf16_transposed(const float* b, std::size_t ldb, std::size_t k, std::size_t n, std::size_t unit0,
                                   std::size_t unit1, std::size_t tiles, std::uint16_t* dst) {
    const std::size_t kblocks = bf16_blocks(k, bf16_tile_depth);
    alignas(64) std::uint32_t words[bf16_tile_values / 2];
    for (std::size_t unit = unit0; unit < unit1; ++unit) {
        const std::size_t jt = unit / kblocks, kb = unit % kblocks, p0 = kb * bf16_tile_depth;
        const std::size_t depth = std::min(bf16_tile_depth, k - p0);
        for (std::size_t j = 0; j < bf16_tile_rows; ++j) {
            const std::size_t col = jt * bf16_tile_rows + j;
            std::uint16_t* run = reinterpret_cast<std::uint16_t*>(words + j * 16);
            if (col < n)
                bf16_run(b + col * ldb + p0, depth, run);
            else
                std::fill_n(run, bf16_tile_depth, std::uint16_t(0));
        }
        bf16_transpose_words(words, dst + (kb * tiles + jt) * bf16_tile_values);
    }
}

// W words of bfloat16 pairs at p: their even (low) and odd (high) elements, widened to floats
// in two of the GEMM's vectors.
inline void bf16_widen(const std::uint16_t* p, simd<float>::vector& even, simd<float>::vector& odd) {
#if defined(GAN_KERNELS_NO_SIMD)
    std::uint32_t w;
    std::memcpy(&w, p, sizeof w);
    even = std::bit_cast<float>(w << 16);
    odd = std::bit_cast<float>(w & 0xFFFF0000u);
#else
    using Words = xsimd::batch<std::uint32_t>;
    const Words w = Words::load_unaligned(reinterpret_cast<const std::uint32_t*>(p));
    even = xsimd::bitwise_cast<simd<float>::vector>(w << 16);
    odd = xsimd::bitwise_cast<simd<float>::vector>(w & Words(0xFFFF0000u));
#endif
}

// C's block of 32 rows × 16 · CB columns, from the two row tiles of A at `a` and the CB column
// tiles of B at `b` (the next K block's b_step values on), into `out` (rows ldo floats apart):
// the widened arithmetic, in the GEMM's register-wide vectors. R rows at a time over the whole
// of K, their sums in registers; B widened in registers as the tile goes, the R rows of A of each
// K block widened first, into L1, whence each is broadcast by a load: a broadcast from a
// register takes the port the FMAs need (widened in the loop, a first version took 1.35–1.45
// times the time).
template <std::size_t CB>
void bf16_block_widened(const std::uint16_t* a, const std::uint16_t* b, std::size_t kblocks, std::size_t b_step,
                        float* out, std::size_t ldo = bf16_block) {
    using S = simd<float>;
    using V = typename S::vector;
    constexpr std::size_t W = S::width, pairs = bf16_tile_depth / 2, VT = bf16_tile_rows / W;
    constexpr std::size_t R = S::registers >= 32 ? 8 : W >= 8 ? 4 : 1;
    static_assert(bf16_tile_rows % W == 0 && bf16_tile_rows % R == 0);
    for (std::size_t r0 = 0; r0 < bf16_block; r0 += R) {
        V acc[R][CB * VT];
        for (auto& row : acc)
            for (auto& v : row) v = S::zero();
        const std::uint16_t* rows = a + (r0 / bf16_tile_rows * kblocks) * bf16_tile_values + r0 % bf16_tile_rows * bf16_tile_depth;
        for (std::size_t kb = 0; kb < kblocks; ++kb) {
            alignas(64) float a_even[R][pairs], a_odd[R][pairs];  // row r's pair p
            for (std::size_t r = 0; r < R; ++r)
                for (std::size_t v = 0; v < pairs / W; ++v) {
                    V even, odd;
                    bf16_widen(rows + kb * bf16_tile_values + r * bf16_tile_depth + 2 * v * W, even, odd);
                    S::store_aligned(even, a_even[r] + v * W);
                    S::store_aligned(odd, a_odd[r] + v * W);
                }
            const std::uint16_t* bk = b + kb * b_step;
            for (std::size_t pair = 0; pair < pairs; ++pair) {
                V even[CB * VT], odd[CB * VT];
                for (std::size_t ct = 0; ct < CB; ++ct)
                    for (std::size_t v = 0; v < VT; ++v)
                        bf16_widen(bk + ct * bf16_tile_values + pair * bf16_tile_depth + 2 * v * W, even[ct * VT + v],
                                   odd[ct * VT + v]);
                for (std::size_t r = 0; r < R; ++r) {
                    const V ao = S::broadcast(a_odd[r][pair]), ae = S::broadcast(a_even[r][pair]);
                    for (std::size_t v = 0; v < CB * VT; ++v)  // exact products: fused or not, the same sums
                        acc[r][v] = S::fma(ae, even[v], S::fma(ao, odd[v], acc[r][v]));
                }
            }
        }
        for (std::size_t r = 0; r < R; ++r)
            for (std::size_t v = 0; v < CB * VT; ++v) S::store_unaligned(acc[r][v], out + (r0 + r) * ldo + v * W);
    }
}

#if defined(GAN_HAVE_BF16_DOT_CODE)
// The same block with VDPBF16PS: one instruction per row, column tile and K pair.
template <std::size_t CB>
__attribute__((target("avx512f,avx512bf16"))) void bf16_block_dot(const std::uint16_t* a, const std::uint16_t* b,
                                                                   std::size_t kblocks, std::size_t b_step,
                                                                   float* out, std::size_t ldo = bf16_block) {
    constexpr std::size_t R = 8;
    for (std::size_t r0 = 0; r0 < bf16_block; r0 += R) {
        __m512 acc[R][CB];
        for (auto& row : acc)
            for (auto& v : row) v = _mm512_setzero_ps();
        const std::uint16_t* rows = a + (r0 / bf16_tile_rows * kblocks) * bf16_tile_values + r0 % bf16_tile_rows * bf16_tile_depth;
        for (std::size_t kb = 0; kb < kblocks; ++kb) {
            const std::uint16_t* at = rows + kb * bf16_tile_values;
            const std::uint16_t* bk = b + kb * b_step;
            for (std::size_t pair = 0; pair < bf16_tile_depth / 2; ++pair) {
                __m512bh bv[CB];
                for (std::size_t ct = 0; ct < CB; ++ct)
                    bv[ct] = (__m512bh)_mm512_loadu_si512(bk + ct * bf16_tile_values + pair * bf16_tile_depth);
                for (std::size_t r = 0; r < R; ++r) {
                    std::int32_t aw;
                    std::memcpy(&aw, at + r * bf16_tile_depth + 2 * pair, sizeof aw);
                    const __m512bh av = (__m512bh)_mm512_set1_epi32(aw);
                    for (std::size_t ct = 0; ct < CB; ++ct) acc[r][ct] = _mm512_dpbf16_ps(acc[r][ct], av, bv[ct]);
                }
            }
        }
        for (std::size_t r = 0; r < R; ++r)
            for (std::size_t ct = 0; ct < CB; ++ct) _mm512_storeu_ps(out + (r0 + r) * ldo + ct * bf16_tile_rows, acc[r][ct]);
    }
}
#endif

#if defined(GAN_HAVE_AMX_CODE)
// The tile registers' shapes, loaded by each thread before its first tile instruction (LDTILECFG):
// palette 1, tiles 0–3 C (16 rows of 16 floats), 4–5 A (16 rows of 32 bfloat16), 6–7 B (16 rows
// of 16 pairs); 64 bytes a row for all of them.
struct alignas(64) amx_tile_config {
    std::uint8_t palette = 1, start_row = 0;
    std::uint8_t reserved[14] = {};
    std::uint16_t bytes_per_row[16] = {64, 64, 64, 64, 64, 64, 64, 64};
    std::uint8_t rows[16] = {16, 16, 16, 16, 16, 16, 16, 16};
};

__attribute__((target("amx-tile"))) inline void amx_begin() {
    static const amx_tile_config config;
    _tile_loadconfig(&config);
}
__attribute__((target("amx-tile"))) inline void amx_end() { _tile_release(); }

// The same block on the tiles: tiles 0 and 1 are C's row tiles against B's first column tile, 2
// and 3 against its second.
template <std::size_t CB>
__attribute__((target("amx-tile,amx-bf16"))) void bf16_block_amx(const std::uint16_t* a, const std::uint16_t* b,
                                                                  std::size_t kblocks, std::size_t b_step,
                                                                  float* out, std::size_t ldo = bf16_block) {
    constexpr std::size_t stride = 64;
    const std::uint16_t* a1 = a + kblocks * bf16_tile_values;
    _tile_zero(0);
    _tile_zero(1);
    if constexpr (CB == 2) {
        _tile_zero(2);
        _tile_zero(3);
    }
    for (std::size_t kb = 0; kb < kblocks; ++kb) {
        const std::size_t o = kb * bf16_tile_values;
        const std::uint16_t* bk = b + kb * b_step;
        _tile_loadd(4, a + o, stride);
        _tile_loadd(5, a1 + o, stride);
        _tile_loadd(6, bk, stride);
        _tile_dpbf16ps(0, 4, 6);
        _tile_dpbf16ps(1, 5, 6);
        if constexpr (CB == 2) {
            _tile_loadd(7, bk + bf16_tile_values, stride);
            _tile_dpbf16ps(2, 4, 7);
            _tile_dpbf16ps(3, 5, 7);
        }
    }
    const std::size_t out_stride = ldo * sizeof(float);
    _tile_stored(0, out, out_stride);
    _tile_stored(1, out + 16 * ldo, out_stride);
    if constexpr (CB == 2) {
        _tile_stored(2, out + 16, out_stride);
        _tile_stored(3, out + 16 * ldo + 16, out_stride);
    }
}
#endif

// The packed B of gemm_bf16, on the calling thread.
inline Workspace& bf16_b_workspace() {
    thread_local Workspace ws;
    return ws;
}

}  // namespace cpu_detail

// The arithmetic gemm_bf16 takes on this machine unless told otherwise (Bf16Arithmetic::automatic
// resolved): what a program can report of gan::Autocast's speed.
inline Bf16Arithmetic default_bf16_arithmetic() { return cpu_detail::bf16_arithmetic(Bf16Arithmetic::automatic); }

// A (m × k, or its transpose) rounded to bfloat16 and kept in the tile layout of gemm_bf16,
// typically a layer's weights: pack after each update, multiply many times.
class BFloat16A : public cpu_detail::stored_operand<std::uint16_t> {
public:
    // op(A)(i, p) = a[i * lda + p], or a[p * lda + i] if transposed; rounded to nearest.
    void pack(std::size_t m, std::size_t k, Transpose transpose, const float* a, std::size_t lda) {
        using namespace cpu_detail;
        const std::size_t tiles = 2 * bf16_blocks(m, bf16_block), kblocks = bf16_blocks(k, bf16_tile_depth);
        std::uint16_t* dst = this->store(m, k, tiles * kblocks * bf16_tile_values);
        // Tile by tile: for A as stored, a row tile's K blocks in turn (each of its 16 rows read
        // in order); transposed, a K block's row tiles in turn, so that the 32 stored rows of the
        // K block are read in order (tile by tile down the stored columns instead, a 64-byte
        // strip from each row a page apart: 2.5 times the time).
        const bool transposed = transpose == Transpose::yes;
        for_blocks(m * k >= (std::size_t(1) << 18), 1, tiles * kblocks, [&](std::size_t, std::size_t, std::size_t u0, std::size_t u1) {
            alignas(64) std::uint32_t words[bf16_tile_values / 2];
            static constexpr float zeros[bf16_tile_rows] = {};
            for (std::size_t u = u0; u < u1; ++u) {
                const std::size_t t = transposed ? u % tiles : u / kblocks, kb = transposed ? u / tiles : u % kblocks;
                const std::size_t i0 = t * bf16_tile_rows, rows = i0 < m ? std::min(bf16_tile_rows, m - i0) : 0;
                std::uint16_t* tile = dst + (t * kblocks + kb) * bf16_tile_values;
                const std::size_t p0 = kb * bf16_tile_depth;
                if (!transposed) {  // each tile row a run along K
                    for (std::size_t r = 0; r < bf16_tile_rows; ++r)
                        if (r < rows)
                            bf16_run(a + (i0 + r) * lda + p0, std::min(bf16_tile_depth, k - p0), tile + r * bf16_tile_depth);
                        else
                            std::fill_n(tile + r * bf16_tile_depth, bf16_tile_depth, std::uint16_t(0));
                    continue;
                }
                // Transposed: K rows p, p + 1 give one pair for each of the tile's 16 rows.
                for (std::size_t pair = 0; pair < bf16_tile_depth / 2; ++pair) {
                    const std::size_t p = p0 + 2 * pair;
                    float low[bf16_tile_rows] = {}, high[bf16_tile_rows] = {};
                    const float* l = zeros;
                    const float* h = zeros;
                    if (p < k) {
                        l = a + p * lda + i0;
                        if (p + 1 < k) h = a + (p + 1) * lda + i0;
                        if (rows < bf16_tile_rows) {  // the last rows: a copy padded with zeros
                            std::copy_n(l, rows, low);
                            if (h != zeros) std::copy_n(h, rows, high);
                            l = low;
                            h = high;
                        }
                    }
                    bf16_pairs(l, h, reinterpret_cast<std::uint16_t*>(words + pair * 16));
                }
                bf16_transpose_words(words, tile);
            }
        });
    }
};

namespace cpu_detail {

inline void check_bf16_shape(const char* what, const GemmShape& s, const BFloat16A& a) {
    if (s.m != a.rows() || s.k != a.depth())
        throw shape_error(std::string(what) + ": the shape asks for " + std::to_string(s.m) + " x " +
                          std::to_string(s.k) + " but A was packed as " + std::to_string(a.rows()) + " x " +
                          std::to_string(a.depth()) + "; repack A");
}

// B of one product, packed for the tiles by all the threads, and how C's blocks fall on it.
struct bf16_operands {
    const GemmShape& s;
    const std::uint16_t* a;
    const std::uint16_t* b;
    std::size_t kblocks, cb, group, groups, row_pairs, b_step;
    Bf16Arithmetic arithmetic;

    // Two column tiles a block where C is wider than one: each A tile loaded then serves two.
    bf16_operands(const GemmShape& shape, const BFloat16A& packed_a, const float* b_values, bool parallel,
                  Bf16Arithmetic asked)
        : s(shape), a(packed_a.data()), b(nullptr), kblocks(bf16_blocks(shape.k, bf16_tile_depth)),
          cb(shape.n > bf16_tile_rows ? 2 : 1), group(cb * bf16_tile_rows), groups(bf16_blocks(shape.n, group)),
          row_pairs(bf16_blocks(shape.m, bf16_block)), b_step(groups * cb * bf16_tile_values),
          arithmetic(bf16_arithmetic(asked)) {
        std::uint16_t* packed = bf16_b_workspace().get<std::uint16_t>(kblocks * b_step);
        // Every K pair of the padded tiles, the padding's zeros included; with an odd number of
        // column tiles in pairs, the last pair's second tile is zeros.
        const bool parallel_pack = parallel && s.n * s.k >= (std::size_t(1) << 16);
        if (s.transpose_b == Transpose::yes)
            for_blocks(parallel_pack, 1, kblocks * groups * cb, [&](std::size_t, std::size_t, std::size_t u0, std::size_t u1) {
                pack_b_bf16_transposed(b_values, s.ldb, s.k, s.n, u0, u1, groups * cb, packed);
            });
        else
            for_blocks(parallel_pack, 1, kblocks * bf16_tile_depth / 2,
                       [&](std::size_t, std::size_t, std::size_t p0, std::size_t p1) {
                           pack_b_bf16(b_values, s.ldb, s.k, s.n, p0, p1, groups * cb, packed);
                       });
        b = packed;
    }

    // C's row pairs [i0, i1) × column groups [g0, g1), column group by column group, or row pair
    // by row pair (rows_first) so that whole rows are done as soon as possible.
    void compute(float* c, bool accumulate, std::size_t i0, std::size_t i1, std::size_t g0, std::size_t g1,
                 bool rows_first) const {
#if defined(GAN_HAVE_AMX_CODE)
        const bool amx = arithmetic == Bf16Arithmetic::amx_tiles;
        if (amx) amx_begin();
#endif
        alignas(64) float out[bf16_block * bf16_block];
        // Into `to` (rows ldo apart), by the arithmetic chosen.
        const auto multiply = [&](const std::uint16_t* at, const std::uint16_t* bt, float* to, std::size_t ldo) {
            const auto run = [&](auto block) {
                if (cb == 2) block(std::integral_constant<std::size_t, 2>{});
                else block(std::integral_constant<std::size_t, 1>{});
            };
#if defined(GAN_HAVE_AMX_CODE)
            if (amx) return run([&](auto cbs) { bf16_block_amx<cbs>(at, bt, kblocks, b_step, to, ldo); });
#endif
#if defined(GAN_HAVE_BF16_DOT_CODE)
            if (arithmetic == Bf16Arithmetic::dot_products)
                return run([&](auto cbs) { bf16_block_dot<cbs>(at, bt, kblocks, b_step, to, ldo); });
#endif
            run([&](auto cbs) { bf16_block_widened<cbs>(at, bt, kblocks, b_step, to, ldo); });
        };
        const auto block = [&](std::size_t ip, std::size_t g) {
            const std::uint16_t* at = a + 2 * ip * kblocks * bf16_tile_values;
            const std::uint16_t* bt = b + g * cb * bf16_tile_values;
            const std::size_t r0 = ip * bf16_block, rows = std::min(bf16_block, s.m - r0);
            const std::size_t c0 = g * group, cols = std::min(group, s.n - c0);
            // A whole block overwriting C: stored straight into it.
            if (!accumulate && rows == bf16_block && cols == bf16_block)
                return multiply(at, bt, c + r0 * s.ldc + c0, s.ldc);
            multiply(at, bt, out, bf16_block);
            for (std::size_t r = 0; r < rows; ++r) {
                float* dst = c + (r0 + r) * s.ldc + c0;
                const float* src = out + r * bf16_block;
                if (accumulate)
                    for (std::size_t j = 0; j < cols; ++j) dst[j] += src[j];
                else
                    std::memcpy(dst, src, cols * sizeof(float));
            }
        };
        if (rows_first) {
            for (std::size_t ip = i0; ip < i1; ++ip)
                for (std::size_t g = g0; g < g1; ++g) block(ip, g);
        } else {
            for (std::size_t g = g0; g < g1; ++g)
                for (std::size_t ip = i0; ip < i1; ++ip) block(ip, g);
        }
#if defined(GAN_HAVE_AMX_CODE)
        if (amx) amx_end();
#endif
    }
};

inline bool bf16_parallel(const GemmShape& s) {
    return s.m * s.n * s.k >= gemm_parallel_threshold || s.m * s.k >= stream_parallel_threshold;
}

}  // namespace cpu_detail

// C[M×N] (+)= A · op(B) with A packed by BFloat16A (s.m, s.k must be its shape; s.transpose_a
// and s.lda unused) and B float, K × N or, transposed, N × K as stored. Lower precision: see
// the top of this file. Split between the threads by blocks of C; each block's sums run in the
// same order whatever the split, so the result does not depend on the number of threads.
// `arithmetic` other than automatic forces one, where this machine can run it (tests and
// benchmarks compare them; cpu_detail::bf16_arithmetic_usable says which it can).
inline void gemm_bf16(cpu, const GemmShape& s, const BFloat16A& a, const float* b, float* c, bool accumulate,
                      Bf16Arithmetic arithmetic = Bf16Arithmetic::automatic) {
    cpu_detail::check_bf16_shape("gemm_bf16", s, a);
    if (s.m == 0 || s.n == 0) return;
    const bool parallel = cpu_detail::bf16_parallel(s);
    const cpu_detail::bf16_operands op(s, a, b, parallel, arithmetic);
    cpu_detail::for_blocks(parallel, op.row_pairs, op.groups,
                           [&](std::size_t i0, std::size_t i1, std::size_t g0, std::size_t g1) {
                               op.compute(c, accumulate, i0, i1, g0, g1, false);
                           });
}

// gemm_in_row_groups (gemm_driver.hpp) with the bfloat16 product: C = A · B split between the
// threads by rows alone, in whole units of `unit` rows, done(row0, row1) running on each group's
// thread as each stretch of its rows completes (a transposed convolution's channels, scattered by
// col2im while in that core's cache). The same values as gemm_bf16.
template <class Done>
void gemm_in_row_groups(cpu, const GemmShape& s, const BFloat16A& a, const float* b, float* c, std::size_t unit,
                        const Done& done) {
    using namespace cpu_detail;
    check_bf16_shape("gemm_in_row_groups", s, a);
    if (unit == 0 || s.m % unit != 0)
        throw shape_error("gemm_in_row_groups: a " + row_groups_shape(s, unit) + " product; it needs whole units");
    if (s.m == 0 || s.n == 0) return;
    const bool parallel = bf16_parallel(s);
    const bf16_operands op(s, a, b, parallel, Bf16Arithmetic::automatic);
    // Stretches of whole units and whole row pairs.
    const std::size_t granule = std::lcm(bf16_block, unit), granules = bf16_blocks(s.m, granule);
    const std::size_t groups = parallel ? std::min(granules, gemm_threads()) : 1;
    for_blocks(groups > 1, 1, groups, [&](std::size_t, std::size_t, std::size_t q0, std::size_t q1) {
        for (std::size_t q = q0; q < q1; ++q)
            for (std::size_t gr = q * granules / groups; gr < (q + 1) * granules / groups; ++gr) {
                const std::size_t row0 = gr * granule, row1 = std::min(s.m, row0 + granule);
                op.compute(c, false, row0 / bf16_block, bf16_blocks(row1, bf16_block), 0, op.groups, true);
                done(row0, row1);
            }
    });
}

}  // namespace kernels
GAN_NAMESPACE_END

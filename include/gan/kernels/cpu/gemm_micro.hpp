#pragma once
// The GEMM register tile: C[MR × NR] (+)= Ap · Bp over kc steps, where Ap holds kc columns of MR
// values and Bp kc rows of NR values (NR = NV vectors), both packed contiguously. MR × NV
// accumulators stay in registers for the whole of kc; per step the kernel loads NV vectors of B
// and broadcasts MR scalars of A, so the FMA units, not the loads, set the pace.
//
// Every element of C gets the same sequence of operations whatever its place in the tile and
// whether the tile is full, clipped at an edge or stored transposed: acc = fma(a_p, b_p, acc) for
// p = 0..kc-1 from zero, then C = acc or C = C + acc. That is what makes the result independent of
// how C is cut into tiles and tasks.
#include <cstddef>
#include <numeric>

#include "gan/kernels/cpu/simd.hpp"

GAN_NAMESPACE_BEGIN
namespace kernels::cpu_detail {

template <class T, std::size_t MR, std::size_t NV>
struct micro_tile {
    using S = simd<T>;
    using V = typename S::vector;
    static constexpr std::size_t mr = MR;
    static constexpr std::size_t nr = NV * S::width;
    // Steps per group of prefetch requests: their MR values of A fill whole cache lines.
    static constexpr std::size_t line_values = 64 / sizeof(T);
    static constexpr std::size_t prefetch_group = line_values / std::gcd(line_values, MR);
    // How far ahead in A, in values: 3 KiB, half a 6 × 256 float panel (1.5, 3 and 6 KiB tried
    // on a Zen 5 VM, into L1 and L2: 3 KiB into L2 was the fastest, by a little).
    static constexpr std::size_t prefetch_a_ahead = 3072 / sizeof(T);

    // How far ahead in each row of an A read as stored, in values: the same 3 KiB over MR rows.
    static constexpr std::size_t prefetch_rows_ahead = prefetch_a_ahead / MR / line_values * line_values;

    // C element (i, j) is c[i * rs + j * cs]; only rows × cols of the tile are stored. Row p of the
    // B panel is at b + p * ldb: a packed panel (ldb = NR) or, where packing would not pay, B as
    // stored (Unpacked), whose rows are far apart and fetched a few ahead, as the hardware will not.
    // A is a packed panel, or with StoredA A as stored, its rows along K, row r at a + r * lda
    // (rows past `rows` read row 0 again; their sums are not stored).
    template <bool Unpacked = false, bool PrefetchA = false, bool StoredA = false>
    static void run(std::size_t kc, const T* __restrict a, const T* __restrict b, std::size_t ldb, T* c,
                    std::size_t rs, std::size_t cs, std::size_t rows, std::size_t cols, bool overwrite,
                    std::size_t lda = 0) {
        [[maybe_unused]] const T* a_rows[MR];
        if constexpr (StoredA)
            for (std::size_t r = 0; r < MR; ++r) a_rows[r] = a + (r < rows ? r : 0) * lda;
        V acc[MR][NV];
#pragma GCC unroll 32
        for (std::size_t r = 0; r < MR; ++r)
#pragma GCC unroll 8
            for (std::size_t v = 0; v < NV; ++v) acc[r][v] = S::zero();

        const auto step = [&](std::size_t p) __attribute__((always_inline)) {
            if constexpr (Unpacked)
                if (p + 8 < kc)
                    for (std::size_t l = 0; l < nr; l += line_values) __builtin_prefetch(b + 8 * ldb + l);
            V bv[NV];
#pragma GCC unroll 8
            for (std::size_t v = 0; v < NV; ++v) bv[v] = S::load_unaligned(b + v * S::width);
#pragma GCC unroll 32
            for (std::size_t r = 0; r < MR; ++r) {
                V ar;
                if constexpr (StoredA)
                    ar = S::broadcast(a_rows[r][p]);
                else
                    ar = S::broadcast(a[r]);
#pragma GCC unroll 8
                for (std::size_t v = 0; v < NV; ++v) acc[r][v] = S::fma(ar, bv[v], acc[r][v]);
            }
            if constexpr (!StoredA) a += MR;
            b += ldb;
        };
        // With PrefetchA, A is pre-packed (a layer's weights) and comes straight from memory,
        // read once per product at a pace the hardware prefetcher falls behind: d3 of unet_128
        // ran its product in 1.0 ms with cold weights against 0.7 ms with them in L3. Every group
        // of steps then asks L2 for the lines of A 3 KiB ahead, one request per cache line. An A
        // packed by the caller is in L2 already, where the requests would only cost issue slots.
        // (A conditional prefetch inside the step loop costs the kernel its registers: twice
        // the time.)
        std::size_t p = 0;
        // A read as stored: MR rows, each a sequential stream that the hardware prefetchers may
        // lose at every page; every line's worth of steps asks L2 for each row's line 3 KiB / MR
        // ahead.
        if constexpr (StoredA)
            for (; p + line_values <= kc; p += line_values) {
#pragma GCC unroll 8
                for (std::size_t r = 0; r < MR; ++r) __builtin_prefetch(a_rows[r] + p + prefetch_rows_ahead, 0, 2);
#pragma GCC unroll 16
                for (std::size_t u = 0; u < line_values; ++u) step(p + u);
            }
        if constexpr (PrefetchA)
            for (; p + prefetch_group <= kc; p += prefetch_group) {
#pragma GCC unroll 8
                for (std::size_t line = 0; line < prefetch_group * MR; line += line_values)
                    __builtin_prefetch(a + prefetch_a_ahead + line, 0, 2);
#pragma GCC unroll 16
                for (std::size_t u = 0; u < prefetch_group; ++u) step(p + u);
            }
        // Two steps per iteration, half the loop's own instructions: on an Intel Xeon the tile ran at
        // 178 GFLOP/s with one and 187 with two (181–184 with four or eight); same operations, same order.
#pragma GCC unroll 2
        for (; p < kc; ++p) step(p);

        if (cs == 1 && rows == MR && cols == nr) {
#pragma GCC unroll 32
            for (std::size_t r = 0; r < MR; ++r)
#pragma GCC unroll 8
                for (std::size_t v = 0; v < NV; ++v) {
                    T* dst = c + r * rs + v * S::width;
                    S::store_unaligned(overwrite ? acc[r][v] : S::load_unaligned(dst) + acc[r][v], dst);
                }
            return;
        }
        alignas(64) T tile[MR * nr];
        for (std::size_t r = 0; r < MR; ++r)
            for (std::size_t v = 0; v < NV; ++v) S::store_aligned(acc[r][v], tile + r * nr + v * S::width);
        for (std::size_t i = 0; i < rows; ++i)
            for (std::size_t j = 0; j < cols; ++j) {
                T& dst = c[i * rs + j * cs];
                dst = overwrite ? tile[i * nr + j] : dst + tile[i * nr + j];
            }
    }
};

// The register tile for a panel of `cols` ≤ NV vectors of columns: the narrowest tile that covers
// them, so that a last, partial panel does not multiply the columns beyond C's edge (D128/c4's
// 225 pixels end in a panel of 33 of 64 columns: three vectors instead of four). Every element
// takes the same operations in any tile, so the bits do not change.
template <class T, std::size_t MR, std::size_t NV, bool Unpacked = false, bool PrefetchA = false, bool StoredA = false>
void run_tile(std::size_t kc, const T* a, const T* b, std::size_t ldb, T* c, std::size_t rs, std::size_t cs,
              std::size_t rows, std::size_t cols, bool overwrite, std::size_t lda = 0) {
    if constexpr (NV > 1)
        if (cols <= (NV - 1) * simd<T>::width)
            return run_tile<T, MR, NV - 1, Unpacked, PrefetchA, StoredA>(kc, a, b, ldb, c, rs, cs, rows, cols, overwrite,
                                                                         lda);
    micro_tile<T, MR, NV>::template run<Unpacked, PrefetchA, StoredA>(kc, a, b, ldb, c, rs, cs, rows, cols, overwrite,
                                                                      lda);
}

}  // namespace kernels::cpu_detail
GAN_NAMESPACE_END

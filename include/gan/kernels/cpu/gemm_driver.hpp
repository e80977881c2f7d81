#pragma once
// The blocked, packed, parallel CPU GEMM (Goto / BLIS scheme).
//
//   in parallel over blocks of C, one fork per product (gemm_tasks; on one thread, gemm_blocked
//   also steps over N in NC columns):
//     for pc over K in KC steps:              fixed split of K: the summation order of every C
//       pack op(B)[pc, the block's columns]       element depends on K alone   (KC × N/tasks)
//       for each MC block of the block's rows:
//         pack op(A)[ic, pc]                                                   (MC × KC, L2)
//         for each NR panel: for each MR panel: register tile            (KC × NR panel, L1)
//
// Threads only ever split C, never K, and every tile runs the same operation sequence on each of
// its elements, so C is bit-identical for any number of threads and any task partition.
// B is an operand as stored, or a convolution's column matrix packed straight from the image
// (im2col_operand: pack_im2col.hpp).
#include <algorithm>
#include <cstddef>
#include <cstring>
#include <numeric>
#include <string>
#include <type_traits>
#include <utility>

#include <tbb/blocked_range2d.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include "gan/core/error.hpp"
#include "gan/core/tensor.hpp"
#include "gan/kernels/cpu/gemm_dot.hpp"
#include "gan/kernels/cpu/gemm_micro.hpp"
#include "gan/kernels/cpu/gemm_narrow.hpp"
#include "gan/kernels/cpu/gemm_pack.hpp"
#include "gan/kernels/cpu/gemm_stream.hpp"
#include "gan/kernels/cpu/pack_im2col.hpp"
#include "gan/kernels/cpu/simd.hpp"
#include "gan/kernels/cpu/workspace.hpp"
#include "gan/kernels/gemm_shape.hpp"

GAN_NAMESPACE_BEGIN
namespace kernels {
namespace cpu_detail {

// Register tile and cache blocks for the architecture being compiled for; see docs/kernels.md
// for the measurements behind the choices.
template <class T>
struct gemm_blocking {
    using S = simd<T>;
    // 32 vector registers (AVX-512): 6 × 4 vectors = 24 accumulators, 4 B vectors and a broadcast.
    // 16 registers (AVX2, SSE, NEON): 6 × 2 = 12 accumulators, 2 B vectors and a broadcast.
    // Plain loops: 4 × 4 scalars, which compilers keep in registers and may vectorise.
    static constexpr std::size_t mr = S::width == 1 ? 4 : 6;
    static constexpr std::size_t nv = S::width == 1 ? 4 : (S::registers >= 32 ? 4 : 2);
    static constexpr std::size_t kc = sizeof(T) == 4 ? 256 : 128;
    // MC × KC of A stays in L2 while the NR panels of B pass by.
    static constexpr std::size_t mc = mr * 24;
    // NC columns of B per K step: KC × NC in L3.
    static constexpr std::size_t nc_panels = 64;

    // The narrowest tile of 1, 2 or nv vectors that covers n columns: a C with few columns (the
    // deep layers of a U-Net, 4×4 = 16 pixels) would leave most of a wide tile's lanes idle.
    static constexpr std::size_t tile_vectors(std::size_t n) {
        if (n <= S::width) return 1;
        if (nv >= 2 && n <= 2 * S::width) return 2;
        return nv;
    }
};

// Runs f(std::integral_constant<NV>) with NV = gemm_blocking<T>::tile_vectors(n).
template <class T, class F>
void with_tile_vectors(std::size_t n, const F& f) {
    using Bk = gemm_blocking<T>;
    const std::size_t nv = Bk::tile_vectors(n);
    if (nv == 1)
        f(std::integral_constant<std::size_t, 1>{});
    else if (nv == 2)
        f(std::integral_constant<std::size_t, 2>{});
    else
        f(std::integral_constant<std::size_t, Bk::nv>{});
}

// Problems below this many multiply-adds run on the calling thread: a TBB fork/join costs about
// as much as 10^6 FMAs on one core.
inline constexpr std::size_t gemm_parallel_threshold = std::size_t(1) << 21;
// The products with at most four columns (gemm_dot, gemm_stream_chunks, gemm_narrow) are bound
// by reading A, a weight that comes from memory, not by their arithmetic; and one core draws only
// about half of what two draw from memory (14 and 30 GB/s on the Zen 5 VM). So they fork once A
// holds this many values, 1 MiB of floats: G128's innermost convolutions (4 MiB each, 1 M
// multiply-adds) ran on one thread under gemm_parallel_threshold, 0.23 and 0.30 ms in the whole
// network against 0.15 and 0.18 ms on two.
inline constexpr std::size_t stream_parallel_threshold = std::size_t(1) << 18;

// The longest K, and the narrowest C, that take the shallow path of gemm_row_panels (measured on
// Zen 3: 1.1–5.7× the blocked loop's speed at K = 1..64 and N of 4096 or 8192; about even on
// small products).
inline constexpr std::size_t shallow_max_k = 64, shallow_min_n = 512;

// The B block (and a shared A) is packed into the calling thread's buffers; otherwise each task
// packs its A block into its own thread's buffer.
inline Workspace& gemm_a_workspace() {
    thread_local Workspace ws;
    return ws;
}
inline Workspace& gemm_b_workspace() {
    thread_local Workspace ws;
    return ws;
}

// A panel of C's rows, computed here instead of in C and handed on while in cache
// (gemm_row_slabs).
inline Workspace& gemm_c_workspace() {
    thread_local Workspace ws;
    return ws;
}

// Threads that may run a product's tasks: the arena's, or fewer where a tbb::global_control
// limits them (as the benchmarks' and the command-line tools' --threads do). The arena alone still
// reports every core then, and a product split into tasks for threads that never come would run
// them one after another, packing each task's operands again.
inline std::size_t gemm_threads() {
    return std::min(std::size_t(tbb::this_task_arena::max_concurrency()),
                    tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism));
}

// Calls f(i0, i1, j0, j1) over [0, mi) × [0, nj), on TBB when `parallel`. Isolated, so that a
// thread waiting here never picks up an unrelated task, such as another GEMM that would reuse
// this thread's packing buffers.
template <class F>
void for_blocks(bool parallel, std::size_t mi, std::size_t nj, const F& f) {
    if (!parallel || mi * nj <= 1) {
        f(std::size_t(0), mi, std::size_t(0), nj);
        return;
    }
    tbb::this_task_arena::isolate([&] {
        tbb::parallel_for(tbb::blocked_range2d<std::size_t>(0, mi, 0, nj),
                          [&](const tbb::blocked_range2d<std::size_t>& r) {
                              f(r.rows().begin(), r.rows().end(), r.cols().begin(), r.cols().end());
                          });
    });
}

// The A operand: packed by the GEMM as it goes, or packed once for many calls (PackedA): for
// each K step in turn, ceil(m / MR) panels of kb × MR, so that a K step's panels are one
// sequential stream.
template <class T>
struct a_to_pack {
    operand<T> a;
};
template <class T>
struct a_prepacked {
    const T* data;
};

struct no_rows_done {
    void operator()(std::size_t, std::size_t) const noexcept {}
};

// One block of C on the calling thread, over the whole of K: the rows of A panels [q0, q1) and
// the column panels [p0, p1) of C (+)= op(A) · op(B), packing the block's B panels (a buffer
// for group_panels of them) and, unless A is pre-packed, its A panels as it goes. In the last K
// step, rows_done(row0, row1) follows each L2 block of A's rows: those rows of the block's
// columns are then final.
template <class T, std::size_t NV, class ASource, class BSource, class RowsDone = no_rows_done>
void gemm_block(std::size_t m, std::size_t n, std::size_t k, const ASource& a, const BSource& b, T* c, std::size_t rs,
                std::size_t cs, bool accumulate, std::size_t q0, std::size_t q1, std::size_t p0, std::size_t p1,
                std::size_t group_panels, const RowsDone& rows_done = {}) {
    using Bk = gemm_blocking<T>;
    using tile = micro_tile<T, Bk::mr, NV>;
    constexpr std::size_t MR = Bk::mr, NR = tile::nr;
    constexpr bool pack_a_here = std::is_same_v<ASource, a_to_pack<T>>;
    const std::size_t a_panels = (m + MR - 1) / MR;
    const std::size_t block_panels = Bk::mc / MR;  // A panels per L2 block
    const std::size_t kb_max = std::min(Bk::kc, k);
    const std::size_t j0 = p0 * NR, cols = std::min(n, p1 * NR) - j0;
    T* bp = gemm_b_workspace().get<T>(kb_max * group_panels * NR);
    T* ap = pack_a_here ? gemm_a_workspace().get<T>(kb_max * block_panels * MR) : nullptr;
    for (std::size_t pc = 0; pc < k; pc += Bk::kc) {
        const std::size_t kb = std::min(Bk::kc, k - pc);
        const bool overwrite = !accumulate && pc == 0;
        pack_b<NR>(b, pc, kb, j0, cols, bp);
        for (std::size_t qb = q0; qb < q1; qb += block_panels) {
            const std::size_t qe = std::min(q1, qb + block_panels);
            const T* a_block;  // panel q at a_block + (q - qb) * kb * MR
            if constexpr (pack_a_here) {
                pack_a<MR>(a.a, qb * MR, std::min(m, qe * MR) - qb * MR, pc, kb, ap, kb * MR);
                a_block = ap;
            } else {
                a_block = a.data + pc * a_panels * MR + qb * kb * MR;  // a K step's panels, kb × MR each
            }
            for (std::size_t jp = p0; jp < p1; ++jp) {
                const std::size_t j = jp * NR, width = std::min(NR, n - j);
                for (std::size_t q = qb; q < qe; ++q)
                    run_tile<T, MR, NV, false, !pack_a_here>(kb, a_block + (q - qb) * kb * MR, bp + (jp - p0) * kb * NR,
                                                             NR, c + q * MR * rs + j * cs, rs, cs,
                                                             std::min(MR, m - q * MR), width, overwrite);
            }
            if (pc + Bk::kc >= k) rows_done(qb * MR, std::min(m, qe * MR));
        }
    }
}

// C (+)= op(A) · op(B) on more than one thread with one fork per product: each task runs the
// whole K loop over its own block of C, packing the B panels of its own columns and, unless A
// comes pre-packed (PackedA: the weights of the const inference pass), the A panels of its own
// rows. Forking twice per K step instead (pack B together, then multiply), as this driver once
// did, cost products with many K steps a quarter or more of their two-thread time on a 2-vCPU
// VM (256 × 256 × 2048, G128/d2: 0.98 → 0.71 ms with one fork; 128 × 1024 × 1024, a weight
// gradient: 1.42 → 0.92 ms; Zen 5, see docs/kernels.md). The price is packing: a value of A is
// packed once per column group of C, one of B once per row group, and the split is chosen to
// pack the fewest values. (Reading a single panel of B as stored instead, through the tile's
// unpacked mode, was 2–3.7× slower on 16 columns.) Same K steps and register tiles for every
// element: the same bits.
template <class T, std::size_t NV, class ASource, class BSource>
void gemm_tasks(std::size_t m, std::size_t n, std::size_t k, const ASource& a, const BSource& b, T* c, std::size_t rs,
                std::size_t cs, bool accumulate, std::size_t threads) {
    using Bk = gemm_blocking<T>;
    using tile = micro_tile<T, Bk::mr, NV>;
    constexpr std::size_t MR = Bk::mr, NR = tile::nr;
    constexpr bool pack_a_here = std::is_same_v<ASource, a_to_pack<T>>;
    const std::size_t a_panels = (m + MR - 1) / MR, panels = (n + NR - 1) / NR;
    // Twice as many tasks as threads, so that a thread the VM holds back leaves less to wait for;
    // but with A pre-packed and fewer column panels than that, rows are split and every row group
    // packs all of B again: one group per thread then (G128/d3 and d4 as implicit GEMMs, whose B
    // is packed from the image: 0.87 → 0.79 ms and 0.68 → 0.59 ms on two threads).
    std::size_t tasks = 2 * threads;
    if constexpr (!pack_a_here)
        if (panels < tasks) tasks = threads;
    std::size_t column_groups = std::min(panels, tasks);
    std::size_t row_groups = std::min(a_panels, (tasks + column_groups - 1) / column_groups);
    if constexpr (pack_a_here) {
        // Values packed: A's once per column group, B's once per row group.
        const auto packed = [&](std::size_t rg, std::size_t cg) { return a_panels * MR * cg + panels * NR * rg; };
        for (std::size_t cg = 1; cg <= std::min(panels, tasks); ++cg) {
            const std::size_t rg = std::min(a_panels, (tasks + cg - 1) / cg);
            if (rg * cg >= std::min(tasks, a_panels * panels) && packed(rg, cg) < packed(row_groups, column_groups)) {
                row_groups = rg;
                column_groups = cg;
            }
        }
    }
    // Every block asks for buffers of the widest block's size, so that a thread's buffers stop
    // growing once it has run one block of a shape, whichever blocks it gets.
    const std::size_t group_panels = (panels + column_groups - 1) / column_groups;
    const auto run_block = [&](std::size_t r, std::size_t g) {
        gemm_block<T, NV>(m, n, k, a, b, c, rs, cs, accumulate, r * a_panels / row_groups,
                          (r + 1) * a_panels / row_groups, g * panels / column_groups, (g + 1) * panels / column_groups,
                          group_panels);
    };
    for_blocks(true, row_groups, column_groups, [&](std::size_t r0, std::size_t r1, std::size_t g0, std::size_t g1) {
        for (std::size_t r = r0; r < r1; ++r)
            for (std::size_t g = g0; g < g1; ++g) run_block(r, g);
    });
}

// C element (i, j) at c[i * rs + j * cs]. Products large enough to fork for go to gemm_tasks;
// the rest run here, on the calling thread.
template <class T, std::size_t NV, class ASource, class BSource>
void gemm_blocked(std::size_t m, std::size_t n, std::size_t k, const ASource& a, const BSource& b, T* c,
                  std::size_t rs, std::size_t cs, bool accumulate) {
    using Bk = gemm_blocking<T>;
    using tile = micro_tile<T, Bk::mr, NV>;
    constexpr std::size_t MR = Bk::mr, NR = tile::nr, NC = NR * Bk::nc_panels;
    constexpr bool pack_a_here = std::is_same_v<ASource, a_to_pack<T>>;
    if (m == 0 || n == 0) return;
    if (k == 0) {
        if (!accumulate)
            for (std::size_t i = 0; i < m; ++i)
                for (std::size_t j = 0; j < n; ++j) c[i * rs + j * cs] = T(0);
        return;
    }
    if (m * n * k >= gemm_parallel_threshold)
        if (const std::size_t threads = gemm_threads(); threads > 1)
            return gemm_tasks<T, NV>(m, n, k, a, b, c, rs, cs, accumulate, threads);
    const std::size_t a_panels = (m + MR - 1) / MR;
    // With a single row panel every B value is used once: copying B would double the traffic of a
    // product that is bound by it. Rows of B are then read as stored, but for a last partial panel,
    // whose loads would run past the end of B's rows. (A B that is not stored, such as
    // im2col_operand, is always packed.)
    constexpr bool stored_b = std::is_same_v<BSource, operand<T>>;
    bool direct_b = false;
    if constexpr (stored_b) direct_b = !b.transposed && m <= MR;
    T* bp = gemm_b_workspace().get<T>(std::min(Bk::kc, k) * std::min(NC, (n + NR - 1) / NR * NR));
    T* ap = pack_a_here ? gemm_a_workspace().get<T>(std::min(Bk::kc, k) * std::min(Bk::mc, a_panels * MR)) : nullptr;

    for (std::size_t jc = 0; jc < n; jc += NC) {
        const std::size_t nb = std::min(NC, n - jc), nj = (nb + NR - 1) / NR;
        for (std::size_t pc = 0; pc < k; pc += Bk::kc) {
            const std::size_t kb = std::min(Bk::kc, k - pc), a_stride = kb * MR;
            const bool overwrite = !accumulate && pc == 0;
            if (!direct_b)
                pack_b<NR>(b, pc, kb, jc, nb, bp);
            else if (nb % NR != 0)
                pack_b<NR>(b, pc, kb, jc + (nj - 1) * NR, nb % NR, bp + (nj - 1) * kb * NR);
            for (std::size_t ic = 0; ic < m; ic += Bk::mc) {
                const std::size_t mb = std::min(Bk::mc, m - ic);
                const T* a_block;  // MC × KC of op(A), in L2 while the B panels pass by
                if constexpr (pack_a_here) {
                    pack_a<MR>(a.a, ic, mb, pc, kb, ap, a_stride);
                    a_block = ap;
                } else {
                    a_block = a.data + pc * a_panels * MR + ic * kb;
                }
                for (std::size_t jp = 0; jp < nj; ++jp) {
                    const std::size_t j = jp * NR, cols = std::min(NR, nb - j);
                    const bool direct = direct_b && cols == NR;
                    const T* b_panel = bp + jp * kb * NR;
                    std::size_t ldb = NR;
                    if constexpr (stored_b)
                        if (direct) {
                            b_panel = b.at(pc, jc + j);
                            ldb = b.ld;
                        }
                    for (std::size_t ir = 0; ir < mb; ir += MR) {
                        const T* a_panel = a_block + ir / MR * a_stride;
                        T* c_tile = c + (ic + ir) * rs + (jc + j) * cs;
                        const std::size_t rows = std::min(MR, mb - ir);
                        if (direct)
                            tile::template run<true, !pack_a_here>(kb, a_panel, b_panel, ldb, c_tile, rs, cs, rows,
                                                                   cols, overwrite);
                        else
                            run_tile<T, MR, NV, false, !pack_a_here>(kb, a_panel, b_panel, NR, c_tile, rs, cs, rows,
                                                                     cols, overwrite);
                    }
                }
            }
        }
    }
}

// Rows [q·MR, q·MR + MR) of C (+)= op(A) op(B) (fewer in the last panel), C's first of them at
// c; op(B) packed whole at bp; op(A)'s panel read as stored or, stored transposed, packed into ap
// (null when A is not transposed).
template <class T, std::size_t NV>
void row_panel(std::size_t q, std::size_t m, std::size_t n, std::size_t k, operand<T> a, const T* bp, T* ap, T* c,
               std::size_t rs, std::size_t cs, bool accumulate) {
    using Bk = gemm_blocking<T>;
    using tile = micro_tile<T, Bk::mr, NV>;
    constexpr std::size_t MR = Bk::mr, NR = tile::nr;
    const std::size_t rows = std::min(MR, m - q * MR), panels = (n + NR - 1) / NR;
    if (!a.transposed) {
        // A's rows run along K: the tile reads them as stored, MR sequential streams, where
        // packing would read them from memory before the tile could start.
        for (std::size_t jp = 0; jp < panels; ++jp)
            for (std::size_t pc = 0; pc < k; pc += Bk::kc)
                tile::template run<false, false, true>(std::min(Bk::kc, k - pc), a.at(q * MR, pc),
                                                       bp + jp * k * NR + pc * NR, NR, c + jp * NR * cs, rs, cs, rows,
                                                       std::min(NR, n - jp * NR), !accumulate && pc == 0, a.ld);
        return;
    }
    pack_a<MR>(a, q * MR, rows, 0, k, ap, k * MR);
    for (std::size_t jp = 0; jp < panels; ++jp)
        for (std::size_t pc = 0; pc < k; pc += Bk::kc)
            tile::run(std::min(Bk::kc, k - pc), ap + pc * MR, bp + jp * k * NR + pc * NR, NR, c + jp * NR * cs, rs, cs,
                      rows, std::min(NR, n - jp * NR), !accumulate && pc == 0);
}

// C (+)= op(A) op(B) a panel of MR rows at a time: each task runs its rows of op(A) over the
// whole of K (read as stored where they lie along K, packed otherwise) against all of op(B),
// packed once, sweeping C's rows. Same K steps and tiles as gemm_blocked, hence the same bits.
// Two shapes want this order:
//  - tall: C one tile wide (n <= NR) and op(A) stored row by row: the product is bound by
//    reading A, each value once, which the tile reads from MR long sequential streams as it
//    multiplies;
//  - shallow: a short K (one KC step; the weight gradients of the layers on 8 × 8 images and
//    smaller: a 512 × 8192 C from 1 to 64 pixels), bound by writing C. The blocked loop would
//    write C a column strip at a time, 64 bytes in each of a block's rows, 32 KiB apart; here
//    each task writes six rows, six sequential streams.
template <class T, std::size_t NV>
void gemm_row_panels(std::size_t m, std::size_t n, std::size_t k, operand<T> a, operand<T> b, T* c, std::size_t rs,
                     std::size_t cs, bool accumulate) {
    constexpr std::size_t MR = gemm_blocking<T>::mr, NR = micro_tile<T, MR, NV>::nr;
    T* bp = gemm_b_workspace().get<T>(k * ((n + NR - 1) / NR) * NR);
    pack_b<NR>(b, 0, k, 0, n, bp);
    for_blocks(m * n * k >= gemm_parallel_threshold, 1, (m + MR - 1) / MR,
               [&](std::size_t, std::size_t, std::size_t q0, std::size_t q1) {
                   T* ap = a.transposed ? gemm_a_workspace().get<T>(k * MR) : nullptr;
                   for (std::size_t q = q0; q < q1; ++q)
                       row_panel<T, NV>(q, m, n, k, a, bp, ap, c + q * MR * rs, rs, cs, accumulate);
               });
}

// C (+)= op(A) op(B) with C element (i, j) at c[i * rs + j * cs], A packed here.
template <class T>
void gemm_unpacked(std::size_t m, std::size_t n, std::size_t k, operand<T> a, operand<T> b, T* c, std::size_t rs,
                   std::size_t cs, bool accumulate) {
    with_tile_vectors<T>(n, [&](auto nv) {
        if (!a.transposed && n > 0 && n <= nv * simd<T>::width && k > 0 && m > gemm_blocking<T>::mc)
            gemm_row_panels<T, nv>(m, n, k, a, b, c, rs, cs, accumulate);  // tall
        else
            gemm_blocked<T, nv>(m, n, k, a_to_pack<T>{a}, b, c, rs, cs, accumulate);
    });
}

// C[m × JB] (+)= op(A) · op(B) with op(A) not transposed (rows contiguous along K), through the
// dot-product kernel; C element (i, j) at c[i * rs + j * cs].
template <class T, std::size_t JB>
void gemm_dot(std::size_t m, std::size_t k, operand<T> a, operand<T> b, T* c, std::size_t rs, std::size_t cs,
              bool accumulate) {
    constexpr std::size_t R = simd<T>::registers >= 32 ? 4 : 2;
    T* bt = gemm_b_workspace().get<T>(JB * k);
    for (std::size_t j = 0; j < JB; ++j)
        for (std::size_t p = 0; p < k; ++p) bt[j * k + p] = *b.at(p, j);
    const std::size_t blocks = m / R;
    for_blocks(m * k >= stream_parallel_threshold, 1, blocks + m % R,
               [&](std::size_t, std::size_t, std::size_t q0, std::size_t q1) {
                   for (std::size_t q = q0; q < q1; ++q) {
                       if (q < blocks) {
                           dot_rows<T, R, JB>(k, a.at(q * R, 0), a.ld, bt, c + q * R * rs, rs, cs, accumulate);
                       } else {
                           const std::size_t i = blocks * R + (q - blocks);
                           dot_rows<T, 1, JB>(k, a.at(i, 0), a.ld, bt, c + i * rs, rs, cs, accumulate);
                       }
                   }
               });
}

// C[m × JB] (+)= Aᵀ · op(B) through the streaming kernel, C element (i, j) at c[i * rs + j * cs].
// Tasks are stretches of `chunk` rows of C; rows_of(i0, rows) gives the stretch's part of A as
// {base, lda}: k rows of `rows` values, row p at base + p * lda.
template <class T, std::size_t JB, class RowsOf>
void gemm_stream_chunks(std::size_t m, std::size_t k, const RowsOf& rows_of, operand<T> b, T* c, std::size_t rs,
                        std::size_t cs, bool accumulate) {
    constexpr std::size_t chunk = stream_layout<T>::chunk, kc = gemm_blocking<T>::kc;
    for_blocks(m * k >= stream_parallel_threshold, 1, (m + chunk - 1) / chunk,
               [&](std::size_t, std::size_t, std::size_t q0, std::size_t q1) {
                   alignas(64) T acc[JB][chunk];
                   for (std::size_t q = q0; q < q1; ++q) {
                       const std::size_t i0 = q * chunk, rows = std::min(chunk, m - i0);
                       const auto [a, lda] = rows_of(i0, rows);
                       for (std::size_t pc = 0; pc < k; pc += kc) {
                           for (auto& column : acc) std::fill(column, column + rows, T(0));
                           stream_accumulate<T, JB>(rows, pc, std::min(k, pc + kc), k, a, lda, b, acc);
                           const bool overwrite = !accumulate && pc == 0;
                           for (std::size_t i = 0; i < rows; ++i)
                               for (std::size_t j = 0; j < JB; ++j) {
                                   T& dst = c[(i0 + i) * rs + j * cs];
                                   dst = overwrite ? acc[j][i] : dst + acc[j][i];
                               }
                       }
                   }
               });
}

template <class T>
struct stream_rows {
    const T* a;
    std::size_t lda;
};

// The same with A stored k × m (row p at a + p * lda): each stretch reads k pieces of `chunk`
// values, lda apart.
template <class T, std::size_t JB>
void gemm_stream(std::size_t m, std::size_t k, const T* a, std::size_t lda, operand<T> b, T* c, std::size_t rs,
                 std::size_t cs, bool accumulate) {
    gemm_stream_chunks<T, JB>(
        m, k, [&](std::size_t i0, std::size_t) { return stream_rows<T>{a + i0, lda}; }, b, c, rs, cs, accumulate);
}

// Runs f(std::integral_constant<JB>) for JB = n in 1..4.
template <class F>
void with_columns(std::size_t n, const F& f) {
    switch (n) {
    case 1: f(std::integral_constant<std::size_t, 1>{}); break;
    case 2: f(std::integral_constant<std::size_t, 2>{}); break;
    case 3: f(std::integral_constant<std::size_t, 3>{}); break;
    default: f(std::integral_constant<std::size_t, 4>{}); break;
    }
}

// C[m × JB] (+)= A · op(B) with A pre-packed, through the narrow kernel.
template <class T, std::size_t JB>
void gemm_narrow(std::size_t m, std::size_t k, const T* a, operand<T> b, T* c, std::size_t ldc, bool accumulate) {
    using Bk = gemm_blocking<T>;
    using L = narrow_layout<T, Bk::mr>;
    constexpr std::size_t MR = Bk::mr;
    static_assert(Bk::kc % L::k_steps == 0, "K steps must hold whole groups of the expanded B");
    if (m == 0) return;
    if (k == 0) {
        if (!accumulate)
            for (std::size_t i = 0; i < m; ++i)
                for (std::size_t j = 0; j < JB; ++j) c[i * ldc + j] = T(0);
        return;
    }
    T* bexp = gemm_b_workspace().get<T>(k / L::k_steps * JB * L::group + 1);
    expand_b_narrow<T, MR>(b, k, JB, bexp);
    const std::size_t panels = (m + MR - 1) / MR;
    const std::size_t last = (k - 1) / Bk::kc * Bk::kc, last_kb = k - last;
    const std::size_t tail_start = last + last_kb / L::k_steps * L::k_steps;
    for_blocks(m * k >= stream_parallel_threshold, 1, panels,
               [&](std::size_t, std::size_t, std::size_t q0, std::size_t q1) {
                   T* state = gemm_a_workspace().get<T>((q1 - q0) * JB * L::group);
                   for (std::size_t pc = 0; pc < k; pc += Bk::kc) {
                       const std::size_t kb = std::min(Bk::kc, k - pc);
                       for (std::size_t q = q0; q < q1; ++q)
                           narrow_accumulate<T, MR, JB>(kb / L::k_steps, a + pc * panels * MR + q * kb * MR,
                                                        bexp + pc / L::k_steps * JB * L::group,
                                                        state + (q - q0) * JB * L::group, pc == 0);
                   }
                   for (std::size_t q = q0; q < q1; ++q)
                       narrow_finish<T, MR, JB>(state + (q - q0) * JB * L::group, k - tail_start,
                                                a + last * panels * MR + q * last_kb * MR + (tail_start - last) * MR, b,
                                                tail_start, c + q * MR * ldc, ldc, std::min(MR, m - q * MR), accumulate);
               });
}

// An m × k operand kept in one of the GEMM's layouts (PackedA, StreamedA): its storage, reused
// and grown only when the matrix grows, and its shape.
template <class T>
class stored_operand {
public:
    std::size_t rows() const { return m_; }
    std::size_t depth() const { return k_; }
    const T* data() const { return data_; }

protected:
    // Storage for `values` elements, now holding an m × k matrix.
    T* store(std::size_t m, std::size_t k, std::size_t values) {
        T* dst = storage_.get<T>(values);
        data_ = dst;
        m_ = m;
        k_ = k;
        return dst;
    }

private:
    Workspace storage_;
    const T* data_ = nullptr;
    std::size_t m_ = 0, k_ = 0;
};
}  // namespace cpu_detail

// op(A) packed once for many products with it, typically a layer's weights: pack after each
// update, multiply many times. Packing reuses the storage, so it allocates only when the matrix
// grows.
template <Scalar T>
class PackedA : public cpu_detail::stored_operand<T> {
public:
    PackedA() = default;
    PackedA(std::size_t m, std::size_t k, Transpose transpose, const T* a, std::size_t lda) {
        pack(m, k, transpose, a, lda);
    }

    // Packs the m × k matrix op(A), op(A)(i, p) = a[i * lda + p], or a[p * lda + i] if transposed.
    void pack(std::size_t m, std::size_t k, Transpose transpose, const T* a, std::size_t lda) {
        constexpr std::size_t MR = cpu_detail::gemm_blocking<T>::mr;
        const std::size_t panels = (m + MR - 1) / MR;
        T* dst = this->store(m, k, panels * MR * k);
        const cpu_detail::operand<T> op{a, lda, transpose == Transpose::yes};
        constexpr std::size_t kc = cpu_detail::gemm_blocking<T>::kc;
        cpu_detail::for_blocks(m * k >= (std::size_t(1) << 18), (k + kc - 1) / kc, panels,
                               [&](std::size_t s0, std::size_t s1, std::size_t q0, std::size_t q1) {
                                   const std::size_t i0 = q0 * MR, rows = std::min(m, q1 * MR) - i0;
                                   for (std::size_t pc = s0 * kc; pc < std::min(k, s1 * kc); pc += kc) {
                                       const std::size_t kb = std::min(kc, k - pc);
                                       cpu_detail::pack_a<MR>(op, i0, rows, pc, kb, dst + pc * panels * MR + i0 * kb,
                                                              kb * MR);
                                   }
                               });
    }
};

template <Scalar T>
void gemm(cpu, const GemmShape& s, const T* a, const T* b, T* c, bool accumulate) {
    using Bk = cpu_detail::gemm_blocking<T>;
    constexpr std::size_t W = cpu_detail::simd<T>::width;
    const cpu_detail::operand<T> opa{a, s.lda, s.transpose_a == Transpose::yes};
    const cpu_detail::operand<T> opb{b, s.ldb, s.transpose_b == Transpose::yes};
    // Even the narrowest tile is a whole vector wide: a C of a few columns (a GEMV, a 2×2 image)
    // fills its transpose's tiles better. C^T = op(B)^T op(A)^T, with C addressed transposed.
    // At most four columns (or rows) and the long operand stored along K: dot products read it
    // once, as stored, where any tile would first have to pack it.
    if (s.n > 0 && s.n <= 4 && !opa.transposed)
        return cpu_detail::with_columns(s.n, [&](auto jb) {
            cpu_detail::gemm_dot<T, jb>(s.m, s.k, opa, opb, c, s.ldc, 1, accumulate);
        });
    // Stored transposed instead, op(A)'s columns lie along its rows: streamed row by row.
    if (s.n > 0 && s.n <= 4 && s.k > 0)
        return cpu_detail::with_columns(s.n, [&](auto jb) {
            cpu_detail::gemm_stream<T, jb>(s.m, s.k, a, s.lda, opb, c, s.ldc, 1, accumulate);
        });
    if (s.m > 0 && s.m <= 4 && opb.transposed)
        return cpu_detail::with_columns(s.m, [&](auto jb) {
            const cpu_detail::operand<T> at{b, s.ldb, false}, bt{a, s.lda, !opa.transposed};
            cpu_detail::gemm_dot<T, jb>(s.n, s.k, at, bt, c, 1, s.ldc, accumulate);
        });
    // B stored along its rows instead (a convolution to one output channel: a PatchGAN's last
    // layer), the transposed product streams them: Cᵀ = op(B)ᵀ op(A)ᵀ, op(B)ᵀ stored transposed.
    if (s.m > 0 && s.m <= 4 && s.k > 0)
        return cpu_detail::with_columns(s.m, [&](auto jb) {
            const cpu_detail::operand<T> bt{a, s.lda, !opa.transposed};
            cpu_detail::gemm_stream<T, jb>(s.n, s.k, b, s.ldb, bt, c, 1, s.ldc, accumulate);
        });
    if (s.k > 0 && s.k <= cpu_detail::shallow_max_k && s.n >= cpu_detail::shallow_min_n)
        return cpu_detail::with_tile_vectors<T>(s.n, [&](auto nv) {
            cpu_detail::gemm_row_panels<T, nv>(s.m, s.n, s.k, opa, opb, c, s.ldc, 1, accumulate);  // shallow
        });
    const auto round = [](std::size_t x, std::size_t r) { return (x + r - 1) / r * r; };
    const auto padded = [&](std::size_t rows, std::size_t cols) {
        return round(rows, Bk::mr) * round(cols, Bk::tile_vectors(cols) * W);
    };
    if (4 * padded(s.n, s.m) < 3 * padded(s.m, s.n)) {
        const cpu_detail::operand<T> at{b, s.ldb, !opb.transposed}, bt{a, s.lda, !opa.transposed};
        cpu_detail::gemm_unpacked<T>(s.n, s.m, s.k, at, bt, c, 1, s.ldc, accumulate);
    } else {
        cpu_detail::gemm_unpacked<T>(s.m, s.n, s.k, opa, opb, c, s.ldc, 1, accumulate);
    }
}

// Whether gemm(cpu, s, ...) completes C a panel of rows at a time, each over the whole of K: the
// shallow products (at most 64 K steps, at least 512 columns; the weight gradients of the
// layers on 8 × 8 images and smaller), which gemm_row_slabs can hand on as they are done.
// Follows gemm's dispatch above.
inline bool gemm_completes_rows(const GemmShape& s) noexcept {
    return s.m > 4 && s.n >= cpu_detail::shallow_min_n && s.k > 0 && s.k <= cpu_detail::shallow_max_k;
}

// C = op(A) op(B) for a product that gemm_completes_rows, without C: each panel of rows is
// computed into the computing thread's own buffer, L2-sized, and handed to
// done(first_row, rows, panel), row i of the panel at panel + i * s.n, while still in cache.
// done runs on the product's threads, for disjoint panels at once. s.ldc is unused. The values
// are the bits that gemm would store. For an update that reads each value once (the optimiser
// applied to a weight gradient as it is computed: a 16–32 MiB C never written to memory and read
// back).
template <Scalar T, class Done>
void gemm_row_slabs(cpu, const GemmShape& s, const T* a, const T* b, const Done& done) {
    if (!gemm_completes_rows(s))
        throw invalid_argument("gan::kernels::gemm_row_slabs: a " + std::to_string(s.m) + " x " + std::to_string(s.n) +
                               " x " + std::to_string(s.k) + " product is not computed row panel by row panel; "
                               "check gemm_completes_rows first and use gemm otherwise");
    const cpu_detail::operand<T> opa{a, s.lda, s.transpose_a == Transpose::yes};
    const cpu_detail::operand<T> opb{b, s.ldb, s.transpose_b == Transpose::yes};
    cpu_detail::with_tile_vectors<T>(s.n, [&](auto nv) {
        constexpr std::size_t MR = cpu_detail::gemm_blocking<T>::mr, NR = cpu_detail::micro_tile<T, MR, nv>::nr;
        T* bp = cpu_detail::gemm_b_workspace().get<T>(s.k * ((s.n + NR - 1) / NR) * NR);
        cpu_detail::pack_b<NR>(opb, 0, s.k, 0, s.n, bp);
        cpu_detail::for_blocks(s.m * s.n * s.k >= cpu_detail::gemm_parallel_threshold, 1, (s.m + MR - 1) / MR,
                               [&](std::size_t, std::size_t, std::size_t q0, std::size_t q1) {
                                   T* ap = opa.transposed ? cpu_detail::gemm_a_workspace().get<T>(s.k * MR)
                                                          : nullptr;
                                   T* panel = cpu_detail::gemm_c_workspace().get<T>(MR * s.n);
                                   for (std::size_t q = q0; q < q1; ++q) {
                                       cpu_detail::row_panel<T, nv>(q, s.m, s.n, s.k, opa, bp, ap, panel, s.n, 1, false);
                                       done(q * MR, std::min(MR, s.m - q * MR), static_cast<const T*>(panel));
                                   }
                               });
    });
}

// The product with a pre-packed A: s.m and s.k must be a's; s.transpose_a and s.lda are unused.
// Bit-identical to gemm with the unpacked A when C has more than four columns; with up to four it
// runs a kernel of its own (deterministic as well, but its sums are grouped differently).
template <Scalar T>
void gemm(cpu, const GemmShape& s, const PackedA<T>& a, const T* b, T* c, bool accumulate) {
    if (s.m != a.rows() || s.k != a.depth())
        throw shape_error("gemm with a packed A: the shape asks for " + std::to_string(s.m) + " x " +
                          std::to_string(s.k) + " but A was packed as " + std::to_string(a.rows()) + " x " +
                          std::to_string(a.depth()) + "; repack A or fix the shape");
    const cpu_detail::operand<T> opb{b, s.ldb, s.transpose_b == Transpose::yes};
    using L = cpu_detail::narrow_layout<T, cpu_detail::gemm_blocking<T>::mr>;
    if (s.n < L::width && s.n <= L::max_columns) {
        switch (s.n) {
        case 1: return cpu_detail::gemm_narrow<T, 1>(s.m, s.k, a.data(), opb, c, s.ldc, accumulate);
        case 2: return cpu_detail::gemm_narrow<T, 2>(s.m, s.k, a.data(), opb, c, s.ldc, accumulate);
        case 3: return cpu_detail::gemm_narrow<T, 3>(s.m, s.k, a.data(), opb, c, s.ldc, accumulate);
        case 4: return cpu_detail::gemm_narrow<T, 4>(s.m, s.k, a.data(), opb, c, s.ldc, accumulate);
        default: break;
        }
    }
    cpu_detail::with_tile_vectors<T>(s.n, [&](auto nv) {
        cpu_detail::gemm_blocked<T, nv>(s.m, s.n, s.k, cpu_detail::a_prepacked<T>{a.data()}, opb, c, s.ldc,
                                        1, accumulate);
    });
}

namespace cpu_detail {
// gemm_in_row_groups (below) for A as packed (a_prepacked) or as stored (a_to_pack).
template <class T, class ASource, class Done>
void gemm_row_groups(const GemmShape& s, const ASource& a, const T* b, T* c, std::size_t unit, const Done& done) {
    const operand<T> opb{b, s.ldb, s.transpose_b == Transpose::yes};
    with_tile_vectors<T>(s.n, [&](auto nv) {
        constexpr std::size_t MR = gemm_blocking<T>::mr, NR = micro_tile<T, MR, nv>::nr;
        const std::size_t threads = s.m * s.n * s.k >= gemm_parallel_threshold ? gemm_threads() : 1;
        const std::size_t granule = std::lcm(MR, unit), granules = (s.m + granule - 1) / granule;
        const std::size_t groups = std::min(granules, threads);
        if (groups <= 1) {
            gemm_blocked<T, nv>(s.m, s.n, s.k, a, opb, c, s.ldc, 1, false);
            done(std::size_t(0), s.m);
            return;
        }
        const std::size_t panels = (s.n + NR - 1) / NR;
        for_blocks(true, 1, groups, [&](std::size_t, std::size_t, std::size_t g0, std::size_t g1) {
            for (std::size_t g = g0; g < g1; ++g) {
                const std::size_t row0 = g * granules / groups * granule;
                const std::size_t row1 = std::min(s.m, (g + 1) * granules / groups * granule);
                // Whole units are handed on as each L2 block of rows completes, while they are in
                // this core's L2 rather than only at the end of the group.
                std::size_t handed = row0;
                const auto rows_done = [&](std::size_t, std::size_t end) {
                    const std::size_t whole = row0 + (std::min(end, row1) - row0) / unit * unit;
                    if (whole > handed) done(std::exchange(handed, whole), whole);
                };
                gemm_block<T, nv>(s.m, s.n, s.k, a, opb, c, s.ldc, 1, false, row0 / MR, (row1 + MR - 1) / MR, 0, panels,
                                  panels, rows_done);
                if (handed < row1) done(handed, row1);
            }
        });
    });
}

inline std::string row_groups_shape(const GemmShape& s, std::size_t unit) {
    return std::to_string(s.m) + " x " + std::to_string(s.n) + " x " + std::to_string(s.k) + " in units of " +
           std::to_string(unit) + " rows";
}
}  // namespace cpu_detail

// C = op(A) · op(B) with more than four columns, split between the threads by rows alone, in
// groups of whole units of `unit` rows (and whole register tiles); done(row0, row1) runs on each
// group's thread as soon as the group's rows are complete, while they are still in that core's
// cache. For a product whose rows are consumed in units: the column matrix of a transposed
// convolution (or of a convolution's input gradient), scattered channel by channel (k² rows
// each) by col2im, which would otherwise read on one core much of what the other has just
// written. Each group packs all of B. C has gemm's bits.
template <Scalar T, class Done>
void gemm_in_row_groups(cpu, const GemmShape& s, const T* a, const T* b, T* c, std::size_t unit, const Done& done) {
    if (s.n <= 4 || unit == 0 || s.m % unit != 0)
        throw shape_error("gemm_in_row_groups: a " + cpu_detail::row_groups_shape(s, unit) +
                          " product; it needs more than 4 columns and whole units (use gemm otherwise)");
    cpu_detail::gemm_row_groups<T>(s, cpu_detail::a_to_pack<T>{{a, s.lda, s.transpose_a == Transpose::yes}}, b, c, unit,
                                   done);
}

// The same with A pre-packed (s.m and s.k as packed; s.transpose_a and s.lda unused).
template <Scalar T, class Done>
void gemm_in_row_groups(cpu, const GemmShape& s, const PackedA<T>& a, const T* b, T* c, std::size_t unit,
                        const Done& done) {
    if (s.m != a.rows() || s.k != a.depth() || s.n <= 4 || unit == 0 || s.m % unit != 0)
        throw shape_error("gemm_in_row_groups: a " + cpu_detail::row_groups_shape(s, unit) +
                          " product with A packed as " + std::to_string(a.rows()) + " x " + std::to_string(a.depth()) +
                          "; it needs A's shape, more than 4 columns and whole units");
    cpu_detail::gemm_row_groups<T>(s, cpu_detail::a_prepacked<T>{a.data()}, b, c, unit, done);
}

// Aᵀ of an m × k product with at most four columns, stored once for many calls in the order the
// streaming kernel reads it: each stretch of C's rows has its k rows of A as one contiguous block
// (the weights of a transposed convolution on a 2×2 or 1×1 image, in the const inference pass).
// As stored, a stretch reads k pieces of 4 KiB, a whole row of A apart; as one block, the memory
// streams it at the bandwidth of a sequential read. Same kernel and sums: the same bits.
template <Scalar T>
class StreamedA : public cpu_detail::stored_operand<T> {
public:
    // Stores the m × k matrix Aᵀ from A stored k × m (row p at a + p * lda).
    void pack(std::size_t m, std::size_t k, const T* a, std::size_t lda) {
        constexpr std::size_t chunk = cpu_detail::stream_layout<T>::chunk;
        T* dst = this->store(m, k, m * k);
        for (std::size_t i0 = 0; i0 < m; i0 += chunk) {
            const std::size_t rows = std::min(chunk, m - i0);
            for (std::size_t p = 0; p < k; ++p) std::memcpy(dst + i0 * k + p * rows, a + p * lda + i0, rows * sizeof(T));
        }
    }
};

// C (+)= Aᵀ op(B) with C of one to four columns and Aᵀ stored by StreamedA: s.m and s.k must be
// a's, s.n at most 4; s.transpose_a and s.lda are unused. Bit-identical to gemm with A as stored.
template <Scalar T>
void gemm(cpu, const GemmShape& s, const StreamedA<T>& a, const T* b, T* c, bool accumulate) {
    if (s.m != a.rows() || s.k != a.depth() || s.n == 0 || s.n > 4)
        throw shape_error("gemm with a streamed A: the shape asks for " + std::to_string(s.m) + " x " +
                          std::to_string(s.k) + " x " + std::to_string(s.n) + " but A was stored as " +
                          std::to_string(a.rows()) + " x " + std::to_string(a.depth()) +
                          " for at most 4 columns; store A again or use gemm with A as stored");
    const cpu_detail::operand<T> opb{b, s.ldb, s.transpose_b == Transpose::yes};
    const auto rows_of = [&](std::size_t i0, std::size_t rows) {
        return cpu_detail::stream_rows<T>{a.data() + i0 * s.k, rows};
    };
    cpu_detail::with_columns(s.n, [&](auto jb) {
        cpu_detail::gemm_stream_chunks<T, jb>(s.m, s.k, rows_of, opb, c, s.ldc, 1, accumulate);
    });
}

}  // namespace kernels
GAN_NAMESPACE_END

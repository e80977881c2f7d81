// Benchmarks of the Bloch-wave LACBED simulator: per-pixel cost against beam count (the O(n^3)
// eigen-solve dominates), and whole 2N x 2N discs per second for SrTiO3 [001].
#include <benchmark/benchmark.h>
#include <gan/physics/lacbed.hpp>


using namespace gan::physics;

namespace {

// SrTiO3 perovskite, a = 3.8996 A, the Felix sample's B factors.
crystal strontium_titanate() {
    return cubic_crystal(3.8996, {make_atom("Sr", 0, 0, 0, 0.4153), make_atom("Ti", .5, .5, .5, 1.1035),
                                  make_atom("O", .5, .5, 0, 0.8888), make_atom("O", .5, 0, .5, 0.8888),
                                  make_atom("O", 0, .5, .5, 0.8888)});
}

// Zinc blende GaAs, a = 5.65325 A, Ga at 4a and As at 4c plus face centring.
crystal gallium_arsenide() {
    return cubic_crystal(5.65325, expand_centring({make_atom("Ga", 0, 0, 0, 0.5854), make_atom("As", .25, .25, .25, 0.3528)},
                                                  centring::face));
}

// The smallest whole-shell cut-off that holds at least `beams` beams of the [001] zone.
double cutoff_for(const crystal& x, int beams) {
    const microscope_frame frame(x, {0, 0, 1}, {1, 0, 0});
    const auto pool = zolz_beam_pool(x, frame, 10.0);
    return pool.at(static_cast<std::size_t>(beams - 1)).g.norm() / two_pi;
}

enum class solver { hermitian_full, general, perturbative, bright_field_real, bright_field_complex };

void pixel_cost(benchmark::State& state, solver kind) {
    const bool hermitian = kind != solver::general && kind != solver::perturbative;
    const auto x = strontium_titanate();
    const microscope_frame frame(x, {0, 0, 1}, {1, 0, 0});
    absorption_settings absorption;
    if (!hermitian) absorption = {absorption_model::proportional, 0.1};
    const bloch_problem problem(x, zolz_beam_pool(x, frame, cutoff_for(x, static_cast<int>(state.range(0)))), 200.0,
                                absorption);
    const pixel_grid grid(32, 0.891344887);
    int pixel = 0;
    for (auto _ : state) {
        const auto k_t = grid.tilt(pixel % 64, (pixel * 7) % 64);
        ++pixel;
        if (kind == solver::bright_field_real) {
            benchmark::DoNotOptimize(bright_field_amplitude(bright_field_spectrum_of(problem.real_structure_matrix(k_t)), 1000.0));
        } else if (kind == solver::bright_field_complex) {
            benchmark::DoNotOptimize(bright_field_amplitude(bright_field_spectrum_of(problem.structure_matrix(k_t)), 1000.0));
        } else if (kind == solver::perturbative) {
            benchmark::DoNotOptimize(amplitude(diagonalise_perturbative(problem.structure_matrix(k_t)), 0, 1000.0));
        } else {
            const auto system = diagonalise(problem.structure_matrix(k_t), hermitian);
            benchmark::DoNotOptimize(amplitude(system, 0, 1000.0));
        }
    }
    state.counters["beams"] = static_cast<double>(problem.size());
    state.SetItemsProcessed(state.iterations());  // pixels
}

}  // namespace

// One thread, one pixel: structure matrix, eigen-solve, propagation to one thickness.
// What the simulator uses for the bright field without absorption: tridiagonalisation plus
// eigenvalues and first eigenvector row, real arithmetic (SrTiO3 is centrosymmetric).
static void BM_pixel_bright_field_real(benchmark::State& state) { pixel_cost(state, solver::bright_field_real); }
BENCHMARK(BM_pixel_bright_field_real)->Arg(50)->Arg(100)->Arg(200)->Arg(300)->Unit(benchmark::kMillisecond);

// The same in complex arithmetic, as for non-centrosymmetric crystals (GaAs).
static void BM_pixel_bright_field_complex(benchmark::State& state) { pixel_cost(state, solver::bright_field_complex); }
BENCHMARK(BM_pixel_bright_field_complex)->Arg(50)->Arg(100)->Arg(200)->Arg(300)->Unit(benchmark::kMillisecond);

// Full Hermitian eigenvectors, as other discs need.
static void BM_pixel_hermitian(benchmark::State& state) { pixel_cost(state, solver::hermitian_full); }
BENCHMARK(BM_pixel_hermitian)->Arg(50)->Arg(100)->Arg(200)->Arg(300)->Unit(benchmark::kMillisecond);

// The general complex path that absorption needs (eigen-solve plus an LU solve for C^-1 e_0).
static void BM_pixel_general(benchmark::State& state) { pixel_cost(state, solver::general); }
BENCHMARK(BM_pixel_general)->Arg(50)->Arg(100)->Arg(200)->Arg(300)->Unit(benchmark::kMillisecond);

// Absorption as a first-order perturbation on the Hermitian eigenvectors.
static void BM_pixel_perturbative(benchmark::State& state) { pixel_cost(state, solver::perturbative); }
BENCHMARK(BM_pixel_perturbative)->Arg(50)->Arg(100)->Arg(200)->Arg(300)->Unit(benchmark::kMillisecond);

// Whole discs, all available threads. Arguments: pixel radius N (image 2N x 2N), beams, and the
// beam rule (0: fixed complete-shell pool; 1: Felix's per-pixel rule with >= beams strong beams,
// as Felix computes it; 2: Felix's rule solving every pixel, no symmetry mirroring).
static void BM_srtio3_disc(benchmark::State& state) {
    const auto x = strontium_titanate();
    lacbed_settings s;
    s.pixel_radius = static_cast<int>(state.range(0));
    s.disc_radius = 0.891344887;
    s.thicknesses = {200, 600, 1000};
    s.use_symmetry = state.range(2) != 2;
    if (state.range(2) == 0) {
        s.g_max = cutoff_for(x, static_cast<int>(state.range(1)));
    } else {
        s.g_max = 3.0;
        s.selection = beam_selection::felix_strong_beams;
        s.min_strong_beams = static_cast<int>(state.range(1));
    }
    double beams = 0;
    for (auto _ : state) {
        const auto result = simulate_lacbed(x, s);
        beams = result.mean_beams_per_pixel;
        benchmark::DoNotOptimize(result.discs.data());
    }
    state.counters["beams"] = beams;
    state.counters["patterns/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
    state.SetItemsProcessed(state.iterations() * 4 * state.range(0) * state.range(0));  // pixels
}
BENCHMARK(BM_srtio3_disc)
    ->Args({32, 50, 0})
    ->Args({32, 50, 1})
    ->Args({64, 50, 0})
    ->Args({64, 50, 1})
    ->Args({64, 50, 2})
    ->Args({32, 300, 0})
    ->Args({64, 300, 0})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MeasureProcessCPUTime();

// Felix's GaAs [-110] sample geometry, 80 x 80: Felix takes about 13 s for it with 50 beams on one
// core. Arguments: beam rule as above (0 fixed pool of >= 50 beams, 1 Felix's per-pixel >= 50
// strong beams, 2 the same solving every pixel).
static void BM_gaas_disc(benchmark::State& state) {
    const auto x = gallium_arsenide();
    lacbed_settings s;
    s.zone_axis = {-1, 1, 0};
    s.x_direction = {1, 1, 0};
    s.pixel_radius = 40;
    s.disc_radius = 0.5;
    s.thicknesses = {600, 1000};
    s.use_symmetry = state.range(0) != 2;
    if (state.range(0) == 0) {
        const microscope_frame frame(x, s.zone_axis, s.x_direction);
        s.g_max = zolz_beam_pool(x, frame, 10.0).at(49).g.norm() / two_pi;
    } else {
        s.g_max = 3.0;
        s.selection = beam_selection::felix_strong_beams;
        s.min_strong_beams = 50;
    }
    double beams = 0;
    for (auto _ : state) {
        const auto result = simulate_lacbed(x, s);
        beams = result.mean_beams_per_pixel;
        benchmark::DoNotOptimize(result.discs.data());
    }
    state.counters["beams"] = beams;
    state.counters["patterns/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_gaas_disc)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->MeasureProcessCPUTime();

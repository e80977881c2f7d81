#include <doctest/doctest.h>

#include <gan/physics/felix_input.hpp>

#include "crystals.hpp"


using namespace gan::physics;

namespace {

// A v1.3-style felix.inp, written for this test (keys in Felix's order, values ours).
const char* fortran_style = R"(# Input file for Felix version :master: v1.3
# ------------------------------------

# control flags
IWriteFLAG                = 1
IScatterFactorMethodFLAG  = 0
IHolzFLAG                 = 0
IAbsorbFLAG               = 1
IByteSize                 = 2

# radius of the beam in pixels
IPixelCount               = 4

# beam selection criteria
IMinReflectionPool        = 200
IMinStrongBeams           = 20
IMinWeakBeams             = 0
RgLimit                   = 2.5

# crystal settings
RDebyeWallerConstant      = 0.3
RAbsorptionPer            = 8.0

# microscope settings
ROuterConvergenceAngle    = 0.9
IIncidentBeamDirection    = [0,0,1]
IXDirection               = [1,0,0]
INormalDirection          = [0,0,1]
RAcceleratingVoltage (kV) = 200.0
RAcceptanceAngle          = 0.0

# Image Output Options
RInitialThickness         = 200.0
RFinalThickness           = 600.0
RDeltaThickness           = 200.0
RPrecision                = 0.00002

IRefineModeFLAG           = S
IAtomicSites              = (1)
)";

std::string replace(std::string text, const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    return text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("felix.inp is read by key, with units stripped, into Felix's conventions") {
    const auto input = parse_felix_inp(fortran_style);
    const auto& s = input.settings;
    CHECK(s.accelerating_voltage == 200.0);
    CHECK(s.pixel_radius == 4);
    CHECK(s.disc_radius == 0.9);
    CHECK(s.g_max == 2.5);
    CHECK(s.min_strong_beams == 20);
    CHECK(s.selection == beam_selection::felix_strong_beams);
    CHECK(s.excitation_error == excitation_error_formula::felix);
    CHECK(s.zone_axis == Eigen::Vector3i(0, 0, 1));
    CHECK(s.x_direction == Eigen::Vector3i(1, 0, 0));
    CHECK(s.thicknesses == std::vector<double>{200.0, 400.0, 600.0});
    CHECK(s.absorption.model == absorption_model::proportional);
    CHECK(s.absorption.fraction == doctest::Approx(0.08));
    CHECK(s.absorption.keep_mean_absorption);  // our documented difference from Felix
    CHECK(input.default_debye_waller == 0.3);
    CHECK(input.values.at("IRefineModeFLAG") == "S");

    // Order does not matter: move the voltage line to the top.
    std::string shuffled = replace(fortran_style, "RAcceleratingVoltage (kV) = 200.0\n", "");
    shuffled = "RAcceleratingVoltage (kV) = 120.0\n" + shuffled;
    CHECK(parse_felix_inp(shuffled).settings.accelerating_voltage == 120.0);
    CHECK(parse_felix_inp(replace(fortran_style, "IAbsorbFLAG               = 1", "IAbsorbFLAG = 2")).settings.absorption.model ==
          absorption_model::bird_king);
}

TEST_CASE("Felix-python's felix.inp names are understood too") {
    const char* python_style = R"(Absorption:
    None, 0
# Control flags
absorption_method         = 0
min_reflection_pool       = 60
min_strong_beams          = 30
min_weak_beams            = 0
g_limit                   = 0.0
incident_beam_direction   = [1, -1, 0]
x_direction               = [0, 0, -1]
normal                    = [1, -1, 0]
initial_thickness         = 1120.0
final_thickness           = 1321.0
delta_thickness           = 20.0
convergence_angle         = 0.725
accelerating_voltage_kv   = 200.0
image_radius              = 84
refine_mode               = 'B'
)";
    const auto s = parse_felix_inp(python_style).settings;
    CHECK(s.zone_axis == Eigen::Vector3i(1, -1, 0));
    CHECK(s.x_direction == Eigen::Vector3i(0, 0, -1));
    CHECK(s.pixel_radius == 84);
    CHECK(s.g_max == 0.0);
    CHECK(s.min_pool_beams == 60);
    CHECK(s.thicknesses.size() == 11);  // 1120, 1140, ..., 1320
    CHECK(s.thicknesses.back() == doctest::Approx(1320.0));
    CHECK(s.absorption.model == absorption_model::none);
}

TEST_CASE("a case from felix.inp runs, and RgLimit = 0 uses a whole-shell pool of at least IMinReflectionPool") {
    auto input = parse_felix_inp(replace(fortran_style, "RgLimit                   = 2.5", "RgLimit = 0"));
    input.settings.min_pool_beams = 45;
    const auto result = simulate_lacbed(gan_test::strontium_titanate(), input.settings);
    CHECK(result.pool_size >= 45);
    CHECK(result.pool_size % 4 == 1);  // 000 plus whole shells of the 4-fold [001] zone
    CHECK(result.discs[0].size() == 3);
    CHECK(result.bright_field().size == 8);
    for (double v : result.bright_field(2).pixels) CHECK(v <= 1.0);
}

TEST_CASE("bad felix.inp input gets a clear error") {
    auto expect_message = [](const std::string& text, const std::string& fragment) {
        try {
            (void)parse_felix_inp(text);
            FAIL("accepted bad felix.inp");
        } catch (const gan::invalid_argument& e) {
            CAPTURE(e.what());
            CHECK(std::string(e.what()).find(fragment) != std::string::npos);
        }
    };
    expect_message(replace(fortran_style, "IPixelCount               = 4\n", ""), "IPixelCount");
    expect_message(replace(fortran_style, "= 0.9", "= fast"), "not a number");
    expect_message(replace(fortran_style, "IHolzFLAG                 = 0", "IHolzFLAG = 1"), "HOLZ");
    expect_message(replace(fortran_style, "INormalDirection          = [0,0,1]", "INormalDirection = [0,1,1]"),
                   "surface normal");
    expect_message(replace(fortran_style, "IXDirection               = [1,0,0]", "IXDirection = [1,0,1]"),
                   "not perpendicular");
    expect_message(replace(fortran_style, "RInitialThickness         = 200.0", "RInitialThickness = -5"), "thickness");
    expect_message(replace(fortran_style, "IXDirection               = [1,0,0]", "IXDirection = [1,0]"), "three integers");
    CHECK_THROWS_AS(read_felix_inp("/nonexistent/felix.inp"), gan::io_error);
}

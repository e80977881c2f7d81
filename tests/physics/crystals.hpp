#pragma once
// Small test crystals written from textbook positions (no CIF, no ICSD data). The B factors and
// volumes are the ones physics.md quotes for its Felix reference numbers.
#include <gan/physics/crystal.hpp>

namespace gan_test {

using namespace gan::physics;

// Perovskite SrTiO3, Pm-3m, a = 3.8996 A; Felix used V = 59.3 A^3.
inline crystal strontium_titanate() {
    crystal x = cubic_crystal(3.8996,
                              {make_atom("Sr", 0, 0, 0, 0.4153), make_atom("Ti", .5, .5, .5, 1.1035),
                               make_atom("O", .5, .5, 0, 0.8888), make_atom("O", .5, 0, .5, 0.8888),
                               make_atom("O", 0, .5, .5, 0.8888)},
                              "SrTiO3");
    x.set_volume_override(59.3);
    return x;
}

// Zinc blende GaAs, F-43m, a = 5.65325 A, Ga at 4a and As at 4c; Felix used V = 180.55 A^3.
inline crystal gallium_arsenide() {
    crystal x = cubic_crystal(
        5.65325, expand_centring({make_atom("Ga", 0, 0, 0, 0.5854), make_atom("As", .25, .25, .25, 0.3528)}, centring::face),
        "GaAs");
    x.set_volume_override(180.55);
    return x;
}

// Diamond Si, Fd-3m (origin choice 1), a = 5.4307 A.
inline crystal silicon(double b_iso = 0.0) {
    return cubic_crystal(5.4307,
                         expand_centring({make_atom("Si", 0, 0, 0, b_iso), make_atom("Si", .25, .25, .25, b_iso)},
                                         centring::face),
                         "Si");
}

}  // namespace gan_test

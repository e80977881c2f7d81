#pragma once
// Reading Felix's felix.inp, so that a Felix user can run the same case.
//
// Felix itself reads the file by line position with a fixed format; here every "key = value" line
// is read by its key, in any order, and a unit in parentheses after the key is ignored
// ("RAcceleratingVoltage (kV) = 200.0"). Both the Fortran v1.3 names (IPixelCount, RgLimit,
// ROuterConvergenceAngle, ...) and the Felix-python names (image_radius, g_limit,
// convergence_angle, ...) are understood. The result follows Felix's conventions: the disc radius
// is ROuterConvergenceAngle in 1/angstrom, RgLimit is the pool cut-off (or, when 0,
// IMinReflectionPool sets the pool size), and beams are chosen per pixel by Felix's strong-beam
// rule with its excitation-error formula. Where Felix is wrong we are not: the pool is rounded up to
// whole shells and the mean absorption U'_0 is kept (docs/physics.md).
#include "gan/physics/eigen.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "gan/core/error.hpp"
#include "gan/physics/lacbed.hpp"
#include "gan/version.hpp"

GAN_NAMESPACE_BEGIN
namespace physics {

struct felix_input {
    lacbed_settings settings;
    std::map<std::string, std::string> values;  // every key (unit stripped) and its raw value
    double default_debye_waller = 0.0;          // RDebyeWallerConstant, for CIF sites without B
};

namespace detail {

inline std::string trim(std::string_view s) {
    const auto begin = s.find_first_not_of(" \t\r\n");
    if (begin == std::string_view::npos) return {};
    const auto end = s.find_last_not_of(" \t\r\n");
    return std::string(s.substr(begin, end - begin + 1));
}

// The first name of each alias list is Felix v1.3's, the second Felix-python's.
struct felix_key {
    const char* fortran;
    const char* python;
};
inline constexpr felix_key felix_keys[] = {
    {"IScatterFactorMethodFLAG", "scatter_factor_method"},
    {"IHolzFLAG", "holz_flag"},
    {"IAbsorbFLAG", "absorption_method"},
    {"IPixelCount", "image_radius"},
    {"IMinReflectionPool", "min_reflection_pool"},
    {"IMinStrongBeams", "min_strong_beams"},
    {"IMinWeakBeams", "min_weak_beams"},
    {"RgLimit", "g_limit"},
    {"RDebyeWallerConstant", "debye_waller_constant"},
    {"RAbsorptionPer", "absorption_per"},
    {"ROuterConvergenceAngle", "convergence_angle"},
    {"IIncidentBeamDirection", "incident_beam_direction"},
    {"IXDirection", "x_direction"},
    {"INormalDirection", "normal"},
    {"RAcceleratingVoltage", "accelerating_voltage_kv"},
    {"RInitialThickness", "initial_thickness"},
    {"RFinalThickness", "final_thickness"},
    {"RDeltaThickness", "delta_thickness"},
};

class felix_values {
public:
    explicit felix_values(const std::map<std::string, std::string>& values) : values_(values) {}

    std::optional<std::string> raw(const felix_key& key) const {
        for (const char* name : {key.fortran, key.python}) {
            const auto it = values_.find(name);
            if (it != values_.end()) return it->second;
        }
        return std::nullopt;
    }
    std::string require(const felix_key& key) const {
        auto value = raw(key);
        if (!value)
            throw invalid_argument(std::string("felix.inp has no ") + key.fortran + " (or " + key.python +
                                   "); add a line '" + key.fortran + " = ...'");
        return *value;
    }
    double number(const felix_key& key) const { return parse_number(key.fortran, require(key)); }
    double number_or(const felix_key& key, double fallback) const {
        const auto value = raw(key);
        return value ? parse_number(key.fortran, *value) : fallback;
    }
    Eigen::Vector3i vector(const felix_key& key) const {
        std::string text = require(key);
        for (char& ch : text)
            if (ch == '[' || ch == ']' || ch == ',' || ch == '(' || ch == ')') ch = ' ';
        std::istringstream in(text);
        Eigen::Vector3i v;
        if (!(in >> v[0] >> v[1] >> v[2]))
            throw invalid_argument(std::string("felix.inp ") + key.fortran + " must be three integers like [0,0,1]");
        return v;
    }

private:
    static double parse_number(const char* name, const std::string& text) {
        try {
            std::size_t used = 0;
            const double value = std::stod(text, &used);
            if (trim(std::string_view(text).substr(used)).empty()) return value;
        } catch (const std::exception&) {
        }
        throw invalid_argument(std::string("felix.inp ") + name + " = '" + text + "' is not a number");
    }
    const std::map<std::string, std::string>& values_;
};

inline const felix_key& key_named(std::string_view fortran) {
    for (const auto& key : felix_keys)
        if (fortran == key.fortran) return key;
    throw error("internal: unknown felix key");
}

}  // namespace detail

inline felix_input parse_felix_inp(std::string_view text) {
    using detail::key_named;
    felix_input input;
    std::istringstream lines{std::string(text)};
    std::string line;
    while (std::getline(lines, line)) {
        const std::string stripped = detail::trim(line);
        if (stripped.empty() || stripped[0] == '#') continue;
        const auto equals = stripped.find('=');
        if (equals == std::string::npos) continue;  // free-text help lines in Felix-python files
        std::string key = detail::trim(std::string_view(stripped).substr(0, equals));
        if (const auto unit = key.find('('); unit != std::string::npos) key = detail::trim(std::string_view(key).substr(0, unit));
        std::string value = detail::trim(std::string_view(stripped).substr(equals + 1));
        if (const auto comment = value.find('#'); comment != std::string::npos) value = detail::trim(std::string_view(value).substr(0, comment));
        input.values[key] = value;
    }
    const detail::felix_values v(input.values);
    auto& s = input.settings;

    if (v.number_or(key_named("IScatterFactorMethodFLAG"), 0) != 0)
        throw invalid_argument("only Kirkland scattering factors (IScatterFactorMethodFLAG = 0) are implemented");
    if (v.number_or(key_named("IHolzFLAG"), 0) != 0)
        throw invalid_argument("HOLZ (IHolzFLAG = 1) is not implemented, and Felix marks it suspect; set IHolzFLAG = 0");
    if (v.number_or(key_named("IMinWeakBeams"), 0) != 0)
        throw invalid_argument("Bethe weak beams are not implemented; set IMinWeakBeams = 0 and raise IMinStrongBeams");

    s.accelerating_voltage = v.number(key_named("RAcceleratingVoltage"));
    s.pixel_radius = static_cast<int>(v.number(key_named("IPixelCount")));
    s.disc_radius = v.number(key_named("ROuterConvergenceAngle"));
    s.zone_axis = v.vector(key_named("IIncidentBeamDirection"));
    s.x_direction = v.vector(key_named("IXDirection"));
    if (v.raw(key_named("INormalDirection"))) {
        const Eigen::Vector3i normal = v.vector(key_named("INormalDirection"));
        if (normal.isZero() || normal.cross(s.zone_axis) != Eigen::Vector3i::Zero() || normal.dot(s.zone_axis) < 0)
            throw invalid_argument("only a surface normal along the zone axis is implemented; set INormalDirection = IIncidentBeamDirection");
    }
    s.g_max = v.number_or(key_named("RgLimit"), 0.0);
    s.min_pool_beams = static_cast<int>(v.number_or(key_named("IMinReflectionPool"), 0));
    s.selection = beam_selection::felix_strong_beams;
    s.excitation_error = excitation_error_formula::felix;
    s.min_strong_beams = static_cast<int>(v.number(key_named("IMinStrongBeams")));

    const double first = v.number(key_named("RInitialThickness"));
    const double last = v.number_or(key_named("RFinalThickness"), first);
    const double step = v.number_or(key_named("RDeltaThickness"), 1.0);
    if (!(step > 0.0)) throw invalid_argument("felix.inp RDeltaThickness must be > 0 angstrom");
    if (last < first) throw invalid_argument("felix.inp RFinalThickness must be >= RInitialThickness");
    s.thicknesses.clear();
    const auto count = static_cast<int>(std::floor((last - first) / step + 1e-9)) + 1;
    for (int i = 0; i < count; ++i) s.thicknesses.push_back(first + i * step);

    const int absorption = static_cast<int>(v.number_or(key_named("IAbsorbFLAG"), 0));
    switch (absorption) {
        case 0: s.absorption = {}; break;
        case 1: s.absorption = {absorption_model::proportional, v.number(key_named("RAbsorptionPer")) / 100.0}; break;
        case 2: s.absorption = {absorption_model::bird_king, 0.0}; break;
        default: throw invalid_argument("IAbsorbFLAG must be 0 (none), 1 (proportional) or 2 (Bird-King)");
    }
    input.default_debye_waller = v.number_or(key_named("RDebyeWallerConstant"), 0.0);
    validate(s);
    return input;
}

inline felix_input read_felix_inp(const std::string& path) {
    std::ifstream file(path);
    if (!file) throw io_error("cannot open felix.inp '" + path + "'; check the path");
    std::stringstream text;
    text << file.rdbuf();
    return parse_felix_inp(text.str());
}

}  // namespace physics
GAN_NAMESPACE_END

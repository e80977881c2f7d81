#pragma once
// Command-line pieces shared by `lacbed dataset` and `lacbed simulate`: absorption flags and
// comma-separated lists.
#include <sstream>
#include <string>
#include <vector>

#include <gan/physics/bloch.hpp>

#include "arguments.hpp"

namespace lacbed {

inline std::vector<std::string> word_list(const std::string& text) {
    std::vector<std::string> words;
    std::stringstream in(text);
    for (std::string word; std::getline(in, word, ',');)
        if (!word.empty()) words.push_back(word);
    return words;
}

inline std::vector<double> number_list(const Arguments& args, const std::string& name) {
    std::vector<double> values;
    for (const auto& word : word_list(args.get(name))) {
        try {
            std::size_t used = 0;
            values.push_back(std::stod(word, &used));
            if (used == word.size()) continue;
        } catch (const std::exception&) {
        }
        throw usage_error("--" + name + " takes numbers separated by commas, not '" + args.get(name) + "'");
    }
    return values;
}

inline void add_absorption_options(Arguments& args) {
    args.option("absorption", "none, proportional or bird-king", "bird-king")
        .option("absorption-fraction", "U'/U for --absorption proportional (Felix's RAbsorptionPer / 100)", "0.1")
        .flag("perturbative-absorption", "first-order (Hirsch-Humphreys) absorption: about 3x faster, error O(U'/U)");
}

inline gan::physics::absorption_settings absorption_from(const Arguments& args) {
    namespace ph = gan::physics;
    ph::absorption_settings a;
    const std::string model = args.get("absorption");
    if (model == "none") a.model = ph::absorption_model::none;
    else if (model == "proportional") a.model = ph::absorption_model::proportional;
    else if (model == "bird-king") a.model = ph::absorption_model::bird_king;
    else throw usage_error("--absorption must be none, proportional or bird-king, not '" + model + "'");
    a.fraction = a.model == ph::absorption_model::proportional ? args.number("absorption-fraction") : 0.0;
    if (!(a.fraction >= 0.0)) throw usage_error("--absorption-fraction must be >= 0 (0.1 means U' = 0.1 U)");
    a.perturbative = args.flag_set("perturbative-absorption");
    return a;
}

}  // namespace lacbed

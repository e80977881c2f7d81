#pragma once
// The named parameters an optimiser updates, collected from layers or networks through their
// visit_parameters(). The optimiser keeps pointers: the modules must outlive it and stay where
// they are (do not move them after adding them).
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "gan/core/error.hpp"
#include "gan/layers/parameter.hpp"

GAN_NAMESPACE_BEGIN

template <Scalar T, Backend B = cpu>
class ParameterList {
public:
    struct Entry {
        std::string name;
        Parameter<T, B>* parameter;
    };

    // Adds every parameter of `module` as "<prefix><name>".
    template <class Module>
    void add(Module& module, std::string_view prefix = "") {
        module.visit_parameters([&](std::string_view name, Parameter<T, B>& p) { add(std::string(prefix) + std::string(name), p); });
    }
    void add(std::string name, Parameter<T, B>& p) {
        for (const Entry& e : entries_)
            if (e.parameter == &p || e.name == name)
                throw invalid_argument("gan: parameter '" + name + "' is already registered with this optimiser; add "
                                       "each module once, with a distinct prefix");
        entries_.push_back({std::move(name), &p});
    }

    std::size_t size() const noexcept { return entries_.size(); }
    const Entry& operator[](std::size_t i) const noexcept { return entries_[i]; }
    auto begin() const noexcept { return entries_.begin(); }
    auto end() const noexcept { return entries_.end(); }

    void zero_grad() {
        for (const Entry& e : entries_) e.parameter->zero_grad();
    }

private:
    std::vector<Entry> entries_;
};

GAN_NAMESPACE_END

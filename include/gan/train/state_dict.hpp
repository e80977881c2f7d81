#pragma once
// Moving a module's parameters and buffers in and out of a safetensors file under their
// state_dict names, with a prefix ("G.", "D.", ...). Loading checks every name and shape and says
// which tensor of which file did not fit.
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "gan/core/bfloat16.hpp"
#include "gan/core/error.hpp"
#include "gan/io/safetensors.hpp"
#include "gan/layers/parameter.hpp"

GAN_NAMESPACE_BEGIN

namespace detail {

template <class V>
constexpr io::DType stored_dtype() {
    if constexpr (std::is_same_v<V, std::int64_t>) return io::DType::i64;
    else if constexpr (std::is_same_v<V, bfloat16>) return io::DType::bf16;
    else if constexpr (std::is_same_v<V, double>) return io::DType::f64;
    else {
        static_assert(std::is_same_v<V, float>, "gan: no stored type for this element type");
        return io::DType::f32;
    }
}

// A copy of `a` (what the file object may keep after `a` changes or goes).
template <class V, Backend B>
io::StoredTensor to_stored(const Array<V, B>& a) {
    if constexpr (B::host_accessible) {
        return io::StoredTensor::from_raw(stored_dtype<V>(), a.shape(), a.data());
    } else {
        std::vector<V> host(a.size());
        B::copy_to_host(host.data(), a.data(), a.bytes());
        return io::StoredTensor::from_raw(stored_dtype<V>(), a.shape(), host.data());
    }
}

// `a` itself where the host can read it (a file written right away, before `a` changes), a
// copy otherwise.
template <class V, Backend B>
io::StoredTensor borrow_stored(const Array<V, B>& a) {
    if constexpr (B::host_accessible) return io::StoredTensor::borrowed(stored_dtype<V>(), a.shape(), a.data());
    else return to_stored(a);
}

template <class V, Backend B>
void from_stored(const io::SafetensorsFile& file, const std::string& name, Array<V, B>& a) {
    const io::StoredTensor& stored = file.tensor(name);
    if (stored.shape != a.shape())
        throw shape_error("'" + file.source + "': tensor '" + name + "' has the shape " +
                          shape_string(stored.shape) + " but the model expects " +
                          shape_string(a.shape()) +
                          "; the file was written for a model of another configuration");
    if (stored.dtype == stored_dtype<V>()) {  // as stored: straight from the file into the array
        B::copy_from_host(a.data(), stored.data().data(), a.bytes());
        stored.release_pages();
        return;
    }
    std::vector<V> host;
    if constexpr (std::is_same_v<V, std::int64_t>) {
        const auto values = stored.values<double>();
        host.assign(values.begin(), values.end());
    } else if constexpr (std::is_same_v<V, bfloat16>) {
        // Wider values (a checkpoint of full-precision Adam moments) rounded to nearest.
        for (const float v : stored.values<float>()) host.push_back(bfloat16::nearest(v));
    } else {
        host = stored.values<V>();
    }
    stored.release_pages();
    B::copy_from_host(a.data(), host.data(), a.bytes());
}

}  // namespace detail

namespace detail {
template <bool Borrow, class Module>
void store_state(io::SafetensorsFile& file, const std::string& prefix, const Module& module) {
    const auto store = [&](const std::string& name, const auto& array) {
        file.tensors[prefix + name] = Borrow ? borrow_stored(array) : to_stored(array);
    };
    module.visit_parameters([&](const std::string& name, const auto& p) { store(name, p.value()); });
    module.visit_buffers(store);
}
}  // namespace detail

// Adds a copy of every parameter (value) and buffer of `module` to `file` as "<prefix><name>".
template <class Module>
void store_state(io::SafetensorsFile& file, const std::string& prefix, const Module& module) {
    detail::store_state<false>(file, prefix, module);
}

// Loads every parameter and buffer of `module` from "<prefix><name>" in `file`.
template <class Module>
void load_state(const io::SafetensorsFile& file, const std::string& prefix, Module& module) {
    module.visit_parameters([&](const std::string& name, auto& p) { detail::from_stored(file, prefix + name, p.value()); });
    module.visit_buffers([&](const std::string& name, auto& b) { detail::from_stored(file, prefix + name, b); });
}

GAN_NAMESPACE_END

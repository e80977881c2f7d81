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

template <class V, Backend B>
io::StoredTensor to_stored(const Array<V, B>& a) {
    std::vector<V> host(a.size());
    B::copy_to_host(host.data(), a.data(), a.bytes());
    if constexpr (std::is_same_v<V, std::int64_t>) return io::StoredTensor::from_int64(a.shape(), host.data());
    else if constexpr (std::is_same_v<V, bfloat16>) return io::StoredTensor::from_bfloat16(a.shape(), host.data());
    else return io::StoredTensor::from_values(a.shape(), host.data());
}

template <class V, Backend B>
void from_stored(const io::SafetensorsFile& file, const std::string& name, Array<V, B>& a) {
    const io::StoredTensor& stored = file.tensor(name);
    if (stored.shape != a.shape())
        throw shape_error("'" + file.source + "': tensor '" + name + "' has the shape " +
                          shape_string(stored.shape) + " but the model expects " +
                          shape_string(a.shape()) +
                          "; the file was written for a model of another configuration");
    std::vector<V> host;
    if constexpr (std::is_same_v<V, std::int64_t>) {
        const auto values = stored.values<double>();
        host.assign(values.begin(), values.end());
    } else if constexpr (std::is_same_v<V, bfloat16>) {
        // bfloat16 as stored; wider values (a checkpoint of full-precision Adam moments) rounded
        // to nearest.
        if (stored.dtype == io::DType::bf16) {
            host.resize(stored.count());
            std::memcpy(host.data(), stored.bytes.data(), stored.bytes.size());
        } else {
            for (const float v : stored.values<float>()) host.push_back(bfloat16::nearest(v));
        }
    } else {
        host = stored.values<V>();
    }
    B::copy_from_host(a.data(), host.data(), a.bytes());
}

}  // namespace detail

// Adds every parameter (value) and buffer of `module` to `file` as "<prefix><name>".
template <class Module>
void store_state(io::SafetensorsFile& file, const std::string& prefix, const Module& module) {
    module.visit_parameters(
        [&](const std::string& name, const auto& p) { file.tensors[prefix + name] = detail::to_stored(p.value()); });
    module.visit_buffers([&](const std::string& name, const auto& b) { file.tensors[prefix + name] = detail::to_stored(b); });
}

// Loads every parameter and buffer of `module` from "<prefix><name>" in `file`.
template <class Module>
void load_state(const io::SafetensorsFile& file, const std::string& prefix, Module& module) {
    module.visit_parameters([&](const std::string& name, auto& p) { detail::from_stored(file, prefix + name, p.value()); });
    module.visit_buffers([&](const std::string& name, auto& b) { detail::from_stored(file, prefix + name, b); });
}

GAN_NAMESPACE_END

#pragma once
// safetensors files: the named-tensor format of PyTorch and the Hugging Face ecosystem.
//
// Layout (https://github.com/huggingface/safetensors): an 8-byte little-endian header length N,
// N bytes of JSON {"__metadata__": {string: string}, "<name>": {"dtype": "F32", "shape": [..],
// "data_offsets": [begin, end]}, ...}, then the raw little-endian tensor bytes, offsets counted
// from the end of the header. Model files and test fixtures both use it, so a file written here
// opens in Python with `safetensors.torch.load_file` and vice versa.
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "gan/io/atomic_file.hpp"
#include "gan/io/dtype.hpp"
#include "gan/io/mapped_file.hpp"

GAN_NAMESPACE_BEGIN
namespace io {

struct StoredTensor {
    DType dtype = DType::f32;
    std::vector<std::size_t> shape;
    std::vector<unsigned char> bytes;  // raw little-endian elements, owned ...
    // ... or borrowed, when `view` is set: from the bytes of a file read whole (kept alive by
    // `owner`), or from a model's arrays while a checkpoint is written (no owner: the arrays
    // outlive the write). Checkpoints thus never hold a second copy of a model in memory.
    std::span<const unsigned char> view;
    std::shared_ptr<const void> owner;
    const MappedFile* mapping = nullptr;  // the file `view` lies in, if read by read_safetensors (owned by `owner`)

    std::span<const unsigned char> data() const noexcept { return view.data() != nullptr ? view : std::span(bytes); }
    // Done with the bytes for now (they were copied into a model): a tensor in a mapped file lets
    // its pages go, so that loading a checkpoint never holds the whole file in memory. The bytes
    // stay readable (mapped in again on use).
    void release_pages() const noexcept {
        if (mapping != nullptr) mapping->release(view);
    }
    std::size_t count() const {
        std::size_t n = 1;
        for (std::size_t e : shape) n *= e;
        return n;
    }
    // The values converted to T (float or double), whatever the stored type.
    template <Scalar T>
    std::vector<T> values() const {
        return convert_to<T>(dtype, data().data(), count());
    }
    // Borrows `count × dtype_size` bytes at `data`, which must outlive every use of the tensor.
    static StoredTensor borrowed(DType dtype, std::vector<std::size_t> shape, const void* data) {
        StoredTensor t;
        t.dtype = dtype;
        t.shape = std::move(shape);
        t.view = {static_cast<const unsigned char*>(data), t.count() * dtype_size(dtype)};
        return t;
    }
    // A tensor of float32 or float64 values.
    template <Scalar T>
    static StoredTensor from_values(std::vector<std::size_t> shape, const T* data) {
        return from_raw(sizeof(T) == 4 ? DType::f32 : DType::f64, std::move(shape), data);
    }
    static StoredTensor from_int64(std::vector<std::size_t> shape, const std::int64_t* data) {
        return from_raw(DType::i64, std::move(shape), data);
    }
    // Elements of `dtype` as they lie in memory (little-endian).
    static StoredTensor from_raw(DType dtype, std::vector<std::size_t> shape, const void* data) {
        StoredTensor t;
        t.dtype = dtype;
        t.shape = std::move(shape);
        t.bytes.resize(t.count() * dtype_size(dtype));
        if (!t.bytes.empty()) std::memcpy(t.bytes.data(), data, t.bytes.size());
        return t;
    }
};

struct SafetensorsFile {
    std::map<std::string, std::string> metadata;
    std::map<std::string, StoredTensor> tensors;
    std::string source = "<memory>";  // the file it came from, for messages

    bool contains(const std::string& name) const { return tensors.count(name) != 0; }
    const StoredTensor& tensor(const std::string& name) const {
        const auto it = tensors.find(name);
        if (it == tensors.end())
            throw io_error("'" + source + "' has no tensor named '" + name + "' (" + std::to_string(tensors.size()) +
                           " tensors in the file); was it written for another model or configuration?");
        return it->second;
    }
    const std::string& meta(const std::string& key) const {
        const auto it = metadata.find(key);
        if (it == metadata.end()) throw io_error("'" + source + "' has no metadata entry '" + key + "'");
        return it->second;
    }
};

namespace detail {
// Parses the safetensors file in `bytes`; the tensors borrow from it and keep `owner` alive.
inline SafetensorsFile parse_safetensors(std::span<const unsigned char> file_bytes, std::shared_ptr<const void> owner,
                                         const MappedFile* mapping, const std::string& source) {
    const std::string_view bytes(reinterpret_cast<const char*>(file_bytes.data()), file_bytes.size());
    auto fail = [&](const std::string& why) -> io_error {
        return io_error("'" + source + "' is not a valid safetensors file: " + why);
    };
    if (bytes.size() < 8) throw fail("it is " + std::to_string(bytes.size()) + " bytes long, shorter than the 8-byte header length");
    std::uint64_t header_size = 0;
    std::memcpy(&header_size, bytes.data(), 8);
    if (header_size > bytes.size() - 8)
        throw fail("the header claims " + std::to_string(header_size) + " bytes but the file has " +
                   std::to_string(bytes.size() - 8) + " after the length (truncated?)");
    nlohmann::json header;
    try {
        header = nlohmann::json::parse(bytes.begin() + 8, bytes.begin() + 8 + std::ptrdiff_t(header_size));
    } catch (const nlohmann::json::exception& e) {
        throw fail(std::string("the header is not JSON (") + e.what() + ")");
    }
    if (!header.is_object()) throw fail("the header is not a JSON object");

    SafetensorsFile file;
    file.source = source;
    const std::size_t data_start = 8 + header_size;
    const std::size_t data_size = bytes.size() - data_start;
    for (const auto& [name, entry] : header.items()) {
        if (name == "__metadata__") {
            if (!entry.is_object()) throw fail("__metadata__ is not an object");
            for (const auto& [key, value] : entry.items()) {
                if (!value.is_string()) throw fail("metadata value '" + key + "' is not a string");
                file.metadata[key] = value.get<std::string>();
            }
            continue;
        }
        try {
            StoredTensor t;
            const auto dtype_name = entry.at("dtype").get<std::string>();
            if (!dtype_from_safetensors_name(dtype_name, t.dtype))
                throw fail("tensor '" + name + "' has the unsupported dtype " + dtype_name);
            t.shape = entry.at("shape").get<std::vector<std::size_t>>();
            const auto offsets = entry.at("data_offsets").get<std::vector<std::size_t>>();
            if (offsets.size() != 2 || offsets[0] > offsets[1] || offsets[1] > data_size)
                throw fail("tensor '" + name + "' has data offsets outside the file (truncated?)");
            if (offsets[1] - offsets[0] != t.count() * dtype_size(t.dtype))
                throw fail("tensor '" + name + "' has " + std::to_string(offsets[1] - offsets[0]) +
                           " bytes, but its shape and dtype need " + std::to_string(t.count() * dtype_size(t.dtype)));
            t.view = file_bytes.subspan(data_start + offsets[0], offsets[1] - offsets[0]);
            t.owner = owner;
            t.mapping = mapping;
            file.tensors.emplace(name, std::move(t));
        } catch (const nlohmann::json::exception& e) {
            throw fail("the entry of tensor '" + name + "' is malformed (" + e.what() + ")");
        }
    }
    return file;
}

}  // namespace detail

// Parses safetensors bytes; `source` names them in error messages.
// The tensors borrow from one shared copy of `file_bytes` (no copy per tensor).
inline SafetensorsFile parse_safetensors(std::string file_bytes, const std::string& source) {
    const auto storage = std::make_shared<const std::string>(std::move(file_bytes));
    const std::span<const unsigned char> bytes(reinterpret_cast<const unsigned char*>(storage->data()), storage->size());
    return detail::parse_safetensors(bytes, storage, nullptr, source);
}

// The tensors borrow from the file mapped into memory (read whole where it cannot be mapped).
inline SafetensorsFile read_safetensors(const std::filesystem::path& path) {
    const auto file = std::make_shared<const MappedFile>(path);
    return detail::parse_safetensors(file->bytes(), file, file.get(), path.string());
}

// Writes the file's bytes to `out`: the header, padded with spaces to a multiple of 8 bytes so
// that the data is aligned, then the tensors in name order, each straight from where it lies (a
// multi-gigabyte checkpoint is not assembled in memory).
inline void serialize_safetensors(const SafetensorsFile& file, std::ostream& out) {
    nlohmann::json header = nlohmann::json::object();
    if (!file.metadata.empty()) header["__metadata__"] = file.metadata;
    std::size_t offset = 0;
    for (const auto& [name, t] : file.tensors) {
        const std::size_t size = t.data().size();
        if (size != t.count() * dtype_size(t.dtype))
            throw io_error("tensor '" + name + "' has " + std::to_string(size) +
                           " bytes, inconsistent with its shape and dtype");
        header[name] = {{"dtype", std::string(safetensors_name(t.dtype))},
                        {"shape", t.shape},
                        {"data_offsets", {offset, offset + size}}};
        offset += size;
    }
    std::string text = header.dump();
    text.append((8 - text.size() % 8) % 8, ' ');
    char length[8];
    const std::uint64_t size = text.size();
    std::memcpy(length, &size, 8);
    out.write(length, 8);
    out.write(text.data(), std::streamsize(text.size()));
    for (const auto& [name, t] : file.tensors)
        out.write(reinterpret_cast<const char*>(t.data().data()), std::streamsize(t.data().size()));
}

// Writes atomically: an existing file is replaced only by a complete new one.
inline void write_safetensors(const std::filesystem::path& path, const SafetensorsFile& file) {
    write_atomically(path, [&](std::ostream& out) { serialize_safetensors(file, out); });
}

}  // namespace io
GAN_NAMESPACE_END

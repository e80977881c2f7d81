#pragma once
// Writing files so that a crash, a full disk or a bad value never leaves a half-written file in
// place of a good one: everything is written to a temporary file in the same folder, flushed,
// and renamed over the target only when complete (rename is atomic within a file system).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <system_error>

#include <unistd.h>

#include "gan/core/error.hpp"

GAN_NAMESPACE_BEGIN
namespace io {

// The temporary sibling a file is written to before the rename: hidden, and unique per process
// so that two programs writing the same target cannot interleave their bytes.
inline std::filesystem::path temporary_path_for(const std::filesystem::path& path) {
    std::string name(".");
    name.append(path.filename().string()).append(".tmp.").append(std::to_string(::getpid()));
    return (path.has_parent_path() ? path.parent_path() : std::filesystem::path(".")) / name;
}

// Calls write(stream) on a temporary file next to `path`, then renames it to `path`. If write
// throws or the stream fails, the temporary file is removed and `path` is left untouched.
inline void write_atomically(const std::filesystem::path& path, const std::function<void(std::ostream&)>& write) {
    namespace fs = std::filesystem;
    const fs::path folder = path.has_parent_path() ? path.parent_path() : fs::path(".");
    if (!fs::is_directory(folder))
        throw io_error("cannot write '" + path.string() + "': the folder '" + folder.string() +
                       "' does not exist; create it first");
    const fs::path temporary = temporary_path_for(path);
    try {
        {
            std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
            if (!out) throw io_error("cannot create '" + temporary.string() + "': check the folder's permissions");
            write(out);
            out.flush();
            if (!out) throw io_error("writing '" + temporary.string() + "' failed (disk full?)");
        }
        std::error_code ec;
        fs::rename(temporary, path, ec);
        if (ec) throw io_error("cannot rename '" + temporary.string() + "' to '" + path.string() + "': " + ec.message());
    } catch (...) {
        std::error_code ignored;
        fs::remove(temporary, ignored);
        throw;
    }
}

// Reads a whole file into a string of bytes, with an error that names the file.
inline std::string read_file_bytes(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw io_error("cannot open '" + path.string() + "': " +
                            (std::filesystem::exists(path) ? "permission denied" : "no such file"));
    // Read into a buffer of the file's size: growing a string to a multi-gigabyte checkpoint would
    // hold up to twice it while it reallocates.
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    std::string bytes(ec ? 0 : std::size_t(size), '\0');
    in.read(bytes.data(), std::streamsize(bytes.size()));
    bytes.resize(std::size_t(in.gcount()));
    if (!in.eof()) bytes.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());  // it grew
    if (in.bad()) throw io_error("reading '" + path.string() + "' failed");
    return bytes;
}

}  // namespace io
GAN_NAMESPACE_END

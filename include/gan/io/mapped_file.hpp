#pragma once
// A file's bytes, read-only, mapped into memory where the system can (POSIX mmap) and read whole
// otherwise. Loading a checkpoint copies each tensor out of the file into the model and then lets
// go of that tensor's pages (release), so a resume never holds the whole file next to the model:
// at 128 × 128 the file is as large as the model with its optimiser state, 535 MB.
// gan replaces files by renaming a complete new one over them (io/atomic_file.hpp), which leaves a
// mapping of the old one intact; a file cut short in place by another program while it is mapped
// would stop the reader with SIGBUS, as for any mapped file.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

#if __has_include(<sys/mman.h>) && __has_include(<sys/stat.h>) && __has_include(<fcntl.h>)
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#define GAN_IO_HAS_MMAP 1
#else
#define GAN_IO_HAS_MMAP 0
#endif

#include "gan/core/error.hpp"
#include "gan/io/atomic_file.hpp"

GAN_NAMESPACE_BEGIN
namespace io {

class MappedFile {
public:
    // Throws io_error naming the file when it cannot be opened.
    explicit MappedFile(const std::filesystem::path& path) {
#if GAN_IO_HAS_MMAP
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        struct stat info {};
        if (fd >= 0 && ::fstat(fd, &info) == 0 && S_ISREG(info.st_mode) && info.st_size > 0) {
            void* map = ::mmap(nullptr, std::size_t(info.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
            if (map != MAP_FAILED) {
                map_ = map;
                size_ = std::size_t(info.st_size);
                ::madvise(map_, size_, MADV_SEQUENTIAL);  // read ahead: tensors are read in file order
            }
        }
        if (fd >= 0) ::close(fd);  // the mapping keeps the file's contents
        if (map_ != nullptr) return;
#endif
        // Not mappable (an empty file, a pipe, a system without mmap): read it whole; this also
        // gives the errors their wording.
        fallback_ = read_file_bytes(path);
    }
    ~MappedFile() {
#if GAN_IO_HAS_MMAP
        if (map_ != nullptr) ::munmap(map_, size_);
#endif
    }
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    std::span<const unsigned char> bytes() const noexcept {
        if (map_ != nullptr) return {static_cast<const unsigned char*>(map_), size_};
        return {reinterpret_cast<const unsigned char*>(fallback_.data()), fallback_.size()};
    }
    bool mapped() const noexcept { return map_ != nullptr; }

    // The caller is done with `range` (a part of bytes()) for now: its pages leave this process's
    // resident memory; a later read maps them in again from the file, unchanged. Whole pages
    // only; a no-op for a file that was read rather than mapped.
    void release(std::span<const unsigned char> range) const noexcept {
#if GAN_IO_HAS_MMAP
        if (map_ == nullptr || range.empty()) return;
        const auto page = std::uintptr_t(::sysconf(_SC_PAGESIZE));
        const auto begin = (std::uintptr_t(range.data()) + page - 1) / page * page;
        const auto end = std::uintptr_t(range.data() + range.size()) / page * page;
        if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
#else
        (void)range;
#endif
    }

private:
    void* map_ = nullptr;
    std::size_t size_ = 0;
    std::string fallback_;
};

}  // namespace io
GAN_NAMESPACE_END

#pragma once
// The single source of the library version. CMake parses these three lines, so keep their form.
#define GAN_VERSION_MAJOR 0
#define GAN_VERSION_MINOR 1
#define GAN_VERSION_PATCH 0

// Everything lives in an inline namespace named after the version, so that two versions of gan
// linked into one program cannot silently mix template instantiations or file layouts.
#define GAN_NAMESPACE_BEGIN \
    namespace gan {         \
    inline namespace v0_1 {
#define GAN_NAMESPACE_END \
    }                     \
    }

GAN_NAMESPACE_BEGIN
inline constexpr int version_major = GAN_VERSION_MAJOR;
inline constexpr int version_minor = GAN_VERSION_MINOR;
inline constexpr int version_patch = GAN_VERSION_PATCH;
inline constexpr const char* version_string = "0.1.0";
GAN_NAMESPACE_END

#pragma once
// The CIF reader, where gemmi is installed. lacbed builds without it; the commands that read CIFs
// (simulate, prepare) then say so through require_cif_support().
#if __has_include(<gemmi/cif.hpp>) && __has_include(<tao/pegtl.hpp>)
#define LACBED_HAS_CIF 1
#include <gan/physics/cif.hpp>
#endif

#include <gan/core/error.hpp>

namespace lacbed {

inline void require_cif_support() {
#ifndef LACBED_HAS_CIF
    throw gan::error("this lacbed was built without gemmi, so it cannot read CIFs; run scripts/install-deps and rebuild");
#endif
}

}  // namespace lacbed

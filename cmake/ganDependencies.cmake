# The packages gan's headers use. Included by gan's own CMakeLists.txt and by the installed
# ganConfig.cmake, so a consumer finds exactly what gan was built against.
find_package(Eigen3 3.3 REQUIRED NO_MODULE)
find_package(TBB REQUIRED)
find_package(xsimd 8 REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
# Optional: only gan/io/png.hpp needs libpng (target gan::png), only gan/backends/cuda.hpp the
# CUDA runtime (target gan::cuda).
find_package(PNG QUIET)
find_package(CUDAToolkit QUIET)

# Debian 12's xsimd 8.1 lists a target "xtl" among its link dependencies but never finds it.
# xsimd's headers need xtl only with XSIMD_ENABLE_XTL_COMPLEX, which gan does not use, so an
# empty stand-in satisfies the link line when xtl itself is not installed.
if(NOT TARGET xtl)
  find_package(xtl QUIET)
endif()
if(NOT TARGET xtl)
  add_library(xtl INTERFACE IMPORTED GLOBAL)
endif()

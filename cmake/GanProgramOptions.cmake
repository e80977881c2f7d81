# Compile options for gan's own programs (tests, examples, benchmarks). They are not part of the
# gan::gan target: a consumer chooses its own architecture and warning flags.
add_library(gan_program_options INTERFACE)
target_link_libraries(gan_program_options INTERFACE gan::gan)
target_compile_options(gan_program_options INTERFACE -Wall -Wextra -Wpedantic)
if(GAN_NATIVE)
  target_compile_options(gan_program_options INTERFACE -march=native)
endif()
if(GAN_SANITIZE)
  target_compile_options(gan_program_options INTERFACE -fsanitize=${GAN_SANITIZE} -fno-omit-frame-pointer
                         -fno-sanitize-recover=all)
  target_link_options(gan_program_options INTERFACE -fsanitize=${GAN_SANITIZE})
endif()

# ccache makes the second build of template-heavy tests nearly free; use it when present.
find_program(GAN_CCACHE ccache)
if(GAN_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(CMAKE_CXX_COMPILER_LAUNCHER ${GAN_CCACHE})
endif()

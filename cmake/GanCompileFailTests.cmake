# gan_add_compile_fail_test(<source>)
#
# A compile-fail test proves that a static_assert fires. The source is built twice:
#   <name>.compiles      as it is, which must succeed (so the failure below is not a typo), and
#   <name>.fails         with GAN_SHOULD_FAIL_TO_BUILD defined, which must fail with compiler
#                        output matching the regular expression on the source's
#                        "// expected-error: <regex>" line.
# Both are object libraries outside the default build, built by ctest through cmake --build.
function(gan_add_compile_fail_test source)
  get_filename_component(name "${source}" NAME_WE)
  file(STRINGS "${source}" expected REGEX "^// expected-error: ")
  if(NOT expected)
    message(FATAL_ERROR "${source}: add a line '// expected-error: <regex>' naming the message it must produce")
  endif()
  list(GET expected 0 expected)
  string(REGEX REPLACE "^// expected-error: " "" expected "${expected}")

  foreach(variant IN ITEMS compiles fails)
    set(target gan_compile_fail_${name}_${variant})
    add_library(${target} OBJECT EXCLUDE_FROM_ALL "${source}")
    target_link_libraries(${target} PRIVATE gan_program_options)
    set_target_properties(${target} PROPERTIES EXCLUDE_FROM_DEFAULT_BUILD ON)
    if(variant STREQUAL "fails")
      target_compile_definitions(${target} PRIVATE GAN_SHOULD_FAIL_TO_BUILD)
    endif()
    add_test(NAME "compile-fail: ${name}.${variant}"
             COMMAND ${CMAKE_COMMAND} --build ${CMAKE_BINARY_DIR} --target ${target})
  endforeach()
  set_tests_properties("compile-fail: ${name}.fails" PROPERTIES
    PASS_REGULAR_EXPRESSION "${expected}")
  # Two builds in one build tree at once would race on the build tool's own files.
  set_tests_properties("compile-fail: ${name}.compiles" "compile-fail: ${name}.fails" PROPERTIES
    RESOURCE_LOCK gan_build_tree)
endfunction()

# Helpers that give every library and test the same flags and layout.
include(GoogleTest)

set(STEER_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
    -Woverloaded-virtual -Wimplicit-fallthrough)
if(STEER_WERROR)
  list(APPEND STEER_WARNINGS -Werror)
endif()
if(STEER_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

if(STEER_FUZZ)
  # scripts/fuzz's tree: every library instrumented for libFuzzer's coverage and sanitized; only
  # the tests/fuzz targets link libFuzzer itself (-fsanitize=fuzzer there).
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()

# steer_library(NAME SOURCES ... DEPS ...): a static library whose public headers live in
# <dir>/include/steer/<lib>/ and whose sources sit beside their *_test.cc files.
function(steer_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include
                                     PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
  target_compile_options(${name} PRIVATE ${STEER_WARNINGS})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
endfunction()

# steer_test(NAME SOURCES ... DEPS ... [LABELS ...]): one gtest binary per library; each
# TEST becomes a ctest case. Labels `unit` and `sanitize` run under the sanitizers in CI.
function(steer_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;DEPS;LABELS" ${ARGN})
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  # The sanitizer tree runs only unit and `sanitize` tests: skip building the rest there. An
  # integration test also labelled `sanitize` (steerd end to end) is built in both trees.
  if("integration" IN_LIST ARG_LABELS AND NOT "sanitize" IN_LIST ARG_LABELS
     AND NOT STEER_INTEGRATION_TESTS)
    return()
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_include_directories(${name} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
  target_compile_options(${name} PRIVATE ${STEER_WARNINGS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main GTest::gmock)
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 120)
  endif()
  # Test data and built binaries are found through these (also compiled in as defaults).
  target_compile_definitions(${name} PRIVATE
    STEER_SOURCE_DIR_DEFAULT="${PROJECT_SOURCE_DIR}" STEER_BINARY_DIR_DEFAULT="${PROJECT_BINARY_DIR}")
  # gtest_discover_tests cannot pass a two-variable ENVIRONMENT list through its PROPERTIES
  # (the ';' splits it), so every test runs through env(1) instead.
  set_target_properties(${name} PROPERTIES CROSSCOMPILING_EMULATOR
    "env;STEER_SOURCE_DIR=${PROJECT_SOURCE_DIR};STEER_BINARY_DIR=${PROJECT_BINARY_DIR}")
  # Nor a list of labels, through the scripts it generates: one label goes there, and a test
  # with several gets them all from a script ctest runs after the discovery (same reason).
  list(GET ARG_LABELS 0 first_label)
  gtest_discover_tests(${name} DISCOVERY_MODE PRE_TEST
    PROPERTIES LABELS ${first_label} TIMEOUT ${ARG_TIMEOUT})
  list(LENGTH ARG_LABELS label_count)
  if(label_count GREATER 1)
    set(script "${CMAKE_CURRENT_BINARY_DIR}/${name}_labels.cmake")
    file(WRITE "${script}"
      "set_tests_properties(\${${name}_TESTS} PROPERTIES LABELS \"${ARG_LABELS}\")\n")
    set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES "${script}")
  endif()
endfunction()

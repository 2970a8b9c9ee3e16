# The ASan + UBSan build, driven from the host build like the cross builds (cmake/Cross.cmake).
#
# A separate CMake build of this source tree in <build>/sanitize, configured with clang and
# FKV_SANITIZE=ON (flags in cmake/Instrument.cmake: -fsanitize=address,undefined
# -fsanitize=float-cast-overflow -fno-sanitize-recover=all), built as an ExternalProject when the
# host build is built: the binary (shared runtimes, no static variant) and the unit tests. Two CTest
# tests of the host build run it:
#   sanitize/unit  the unit tests of that build (unit/*, the Beast client's included), LeakSanitizer on;
#   sanitize/e2e   tests/e2e/native.test.js with that binary against the host build's (plain) fake,
#                  through tests/e2e/sanitized-e2e.sh, which fails on any sanitizer report.
# clang is used because GCC has no ignore list for RapidJSON's null-pointer arithmetic
# (cmake/sanitizer-ignorelist.txt). Without clang both tests are left out with a message.

option(FKV_SANITIZE_BUILD "Also build and test the binary and unit tests with ASan+UBSan (clang)" ON)
if(NOT FKV_SANITIZE_BUILD OR FKV_SANITIZE OR FKV_FUZZ OR NOT FKV_BUILD_TESTS OR CMAKE_CROSSCOMPILING
   OR NOT CMAKE_HOST_SYSTEM_NAME STREQUAL "Linux")
  return()
endif()
find_program(FKV_CLANGXX NAMES clang++ clang++-14)
if(NOT FKV_CLANGXX)
  message(STATUS "sanitize: clang++ missing; skipping the ASan+UBSan build (scripts/setup.sh installs it)")
  return()
endif()

include(ExternalProject)
set(FKV_SANITIZE_DIR ${CMAKE_BINARY_DIR}/sanitize)
ExternalProject_Add(sanitize
  SOURCE_DIR ${PROJECT_SOURCE_DIR}
  BINARY_DIR ${FKV_SANITIZE_DIR}
  CMAKE_GENERATOR Ninja
  CMAKE_ARGS -DCMAKE_CXX_COMPILER=${FKV_CLANGXX} -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFKV_SANITIZE=ON
             -DFKV_WERROR=${FKV_WERROR} -DFKV_CROSS=OFF -DFKV_STATIC_OPENSSL=OFF -DFKV_BUILD_TESTS=ON
  INSTALL_COMMAND ""
  BUILD_ALWAYS ON
  USES_TERMINAL_BUILD ON)

# detect_leaks: LeakSanitizer is on by default on x86_64 Linux; named so that nothing turns it off.
set(FKV_SANITIZER_ENV "ASAN_OPTIONS=detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1"
                      "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1")
add_test(NAME sanitize/unit
  COMMAND ${CMAKE_CTEST_COMMAND} --test-dir ${FKV_SANITIZE_DIR} -R "^unit/" --output-on-failure --timeout 300)
set_tests_properties(sanitize/unit PROPERTIES TIMEOUT 900 ENVIRONMENT "${FKV_SANITIZER_ENV}")
# The fake is the host build's (tests/fake-azure); tests/e2e adds sanitize/e2e when it exists.
set(FKV_SANITIZED_BINARY ${FKV_SANITIZE_DIR}/native/federated-keyvault)

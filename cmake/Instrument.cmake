# Compiler flags of the instrumented builds (see FKV_FUZZ and FKV_SANITIZE in the top CMakeLists.txt).
# Both are builds of their own; neither is ever shipped.
#
# FKV_SANITIZE: ASan + UBSan on every translation unit and link. float-cast-overflow is named
#   because GCC's -fsanitize=undefined leaves it out; -fno-sanitize-recover=all makes the first
#   report fatal, so no test can pass over one.
# FKV_FUZZ (clang only): the libraries get -fsanitize=fuzzer-no-link (coverage instrumentation
#   without libFuzzer's main) plus ASan + UBSan; each fuzz target adds -fsanitize=fuzzer at link
#   (tests/fuzz/CMakeLists.txt).

if(FKV_FUZZ AND FKV_SANITIZE)
  message(FATAL_ERROR "FKV_FUZZ and FKV_SANITIZE are separate builds: choose one")
endif()
if(NOT FKV_FUZZ AND NOT FKV_SANITIZE)
  return()
endif()

set(FKV_SANITIZER_FLAGS -fsanitize=address,undefined -fsanitize=float-cast-overflow -fno-sanitize-recover=all
    -fno-omit-frame-pointer -g)
# RapidJSON 1.1.0's null-pointer arithmetic (see the file): skipped in its headers only with clang;
# GCC has no ignore list, so there the pointer-overflow check is off altogether.
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  list(APPEND FKV_SANITIZER_FLAGS -fsanitize-ignorelist=${CMAKE_CURRENT_LIST_DIR}/sanitizer-ignorelist.txt)
else()
  list(APPEND FKV_SANITIZER_FLAGS -fno-sanitize=pointer-overflow)
endif()
if(FKV_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "FKV_FUZZ needs clang (libFuzzer): configure with CC=clang CXX=clang++")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link ${FKV_SANITIZER_FLAGS})
else()
  add_compile_options(${FKV_SANITIZER_FLAGS})
endif()
add_link_options(-fsanitize=address,undefined -fsanitize=float-cast-overflow)

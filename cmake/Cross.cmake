# Cross builds driven from the host build: Linux arm64 and Windows x64.
#
# Each is a separate CMake build of this same source tree (binary + unit tests only), configured
# with a toolchain file from cmake/toolchains and built as an ExternalProject when the host build
# is built. Their unit tests run under qemu-aarch64-static and wine via CTest tests of the host
# build (cross/<target>/unit); the end-to-end tests run the cross binaries against the host's fake.
# A toolchain that is not installed skips its target with a message (scripts/setup.sh installs them).

option(FKV_CROSS "Also build (and test) the Linux arm64 and Windows x64 binaries" ON)
if(NOT FKV_CROSS OR CMAKE_CROSSCOMPILING OR NOT CMAKE_HOST_SYSTEM_NAME STREQUAL "Linux")
  return()
endif()

include(ExternalProject)
set(FKV_CROSS_DIR ${CMAKE_BINARY_DIR}/cross)
set(FKV_CACHE_DIR "$ENV{FKV_CACHE_DIR}")
if(NOT FKV_CACHE_DIR)
  if(DEFINED ENV{XDG_CACHE_HOME})
    set(FKV_CACHE_DIR "$ENV{XDG_CACHE_HOME}/federated-keyvault")
  else()
    set(FKV_CACHE_DIR "$ENV{HOME}/.cache/federated-keyvault")
  endif()
endif()

function(fkv_cross_build name toolchain)
  ExternalProject_Add(cross-${name}
    SOURCE_DIR ${PROJECT_SOURCE_DIR}
    BINARY_DIR ${FKV_CROSS_DIR}/${name}
    CMAKE_GENERATOR Ninja
    CMAKE_ARGS -DCMAKE_TOOLCHAIN_FILE=${PROJECT_SOURCE_DIR}/cmake/toolchains/${toolchain}.cmake
               -DCMAKE_BUILD_TYPE=Release -DFKV_WERROR=${FKV_WERROR} -DFKV_CROSS=OFF
               -DFKV_BUILD_TESTS=${FKV_BUILD_TESTS} ${ARGN}
    INSTALL_COMMAND ""
    BUILD_ALWAYS ON
    USES_TERMINAL_BUILD ON)
  if(FKV_BUILD_TESTS)
    add_test(NAME cross/${name}/unit
      COMMAND ${CMAKE_CTEST_COMMAND} --test-dir ${FKV_CROSS_DIR}/${name} --output-on-failure --timeout 300)
    # wine shares one prefix (and wineserver) between runs: never two at once.
    set_tests_properties(cross/${name}/unit PROPERTIES TIMEOUT 900 RESOURCE_LOCK emulator-${name})
  endif()
endfunction()

find_program(FKV_AARCH64_GXX aarch64-linux-gnu-g++)
find_program(FKV_QEMU_AARCH64 qemu-aarch64-static)
if(FKV_AARCH64_GXX AND FKV_QEMU_AARCH64 AND EXISTS /usr/lib/aarch64-linux-gnu/libssl.a)
  fkv_cross_build(linux-arm64 aarch64-linux-gnu)
  set(FKV_ARM64_BINARY ${FKV_CROSS_DIR}/linux-arm64/native/federated-keyvault)
else()
  message(STATUS "cross: Linux arm64 toolchain, qemu or libssl-dev:arm64 missing; skipping arm64")
endif()

find_program(FKV_MINGW_GXX x86_64-w64-mingw32-g++-posix)
if(FKV_MINGW_GXX AND (EXISTS /usr/lib/wine/wine64 OR EXISTS /usr/bin/wine64))
  set(FKV_OPENSSL_MINGW ${FKV_CACHE_DIR}/openssl-mingw64)
  # Builds OpenSSL for mingw once into the cache (outside the clone); later runs reuse it.
  add_custom_target(openssl-mingw64
    COMMAND ${CMAKE_COMMAND} -E env FKV_CACHE_DIR=${FKV_CACHE_DIR}
            ${PROJECT_SOURCE_DIR}/scripts/cross/openssl-mingw.sh
    USES_TERMINAL)
  fkv_cross_build(windows-x64 mingw-w64-x86_64 -DOPENSSL_ROOT_DIR=${FKV_OPENSSL_MINGW})
  ExternalProject_Add_StepDependencies(cross-windows-x64 configure openssl-mingw64)
  set(FKV_WIN64_BINARY ${FKV_CROSS_DIR}/windows-x64/native/federated-keyvault.exe)
else()
  message(STATUS "cross: mingw-w64 or wine64 missing; skipping Windows x64")
endif()

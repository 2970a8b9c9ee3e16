# Finds the build dependencies (all from Debian packages) and gives each a target:
#   Boost::headers (Beast, Asio), OpenSSL::SSL/Crypto, RapidJSON::RapidJSON, doctest::doctest, Threads.
#
# FKV_STATIC_OPENSSL links libssl.a/libcrypto.a so the shipped binary needs no OpenSSL on the agent.
# Cross-compiling for Windows with mingw: the cross compiler must not see /usr/include (glibc
# headers would clash), so the header-only libraries are exposed through a folder of symlinks.

find_package(Threads REQUIRED)

if(FKV_STATIC_OPENSSL)
  set(OPENSSL_USE_STATIC_LIBS TRUE)
endif()
if(WIN32 AND CMAKE_CROSSCOMPILING AND OPENSSL_ROOT_DIR)
  # The mingw toolchain searches only its own root; let it see the cross-built OpenSSL too.
  list(APPEND CMAKE_FIND_ROOT_PATH ${OPENSSL_ROOT_DIR})
endif()
find_package(OpenSSL 3 REQUIRED)

if(WIN32 AND CMAKE_CROSSCOMPILING)
  set(_fkv_xinc ${CMAKE_BINARY_DIR}/xinc)
  file(MAKE_DIRECTORY ${_fkv_xinc})
  foreach(dir boost rapidjson doctest)
    if(NOT EXISTS ${_fkv_xinc}/${dir})
      file(CREATE_LINK /usr/include/${dir} ${_fkv_xinc}/${dir} SYMBOLIC)
    endif()
  endforeach()
  add_library(Boost::headers INTERFACE IMPORTED)
  set_target_properties(Boost::headers PROPERTIES INTERFACE_INCLUDE_DIRECTORIES ${_fkv_xinc})
  add_library(RapidJSON::RapidJSON INTERFACE IMPORTED)
  set_target_properties(RapidJSON::RapidJSON PROPERTIES INTERFACE_INCLUDE_DIRECTORIES ${_fkv_xinc}
    INTERFACE_COMPILE_DEFINITIONS "RAPIDJSON_HAS_STDSTRING=1")
  add_library(doctest::doctest INTERFACE IMPORTED)
  set_target_properties(doctest::doctest PROPERTIES INTERFACE_INCLUDE_DIRECTORIES ${_fkv_xinc})
  # Winsock for Asio; crypt32 for the Windows ROOT certificate store.
  set_property(TARGET OpenSSL::Crypto APPEND PROPERTY INTERFACE_LINK_LIBRARIES ws2_32 crypt32 user32 advapi32)
  add_compile_definitions(_WIN32_WINNT=0x0A00 WIN32_LEAN_AND_MEAN NOMINMAX)
  add_link_options(-static)
else()
  find_package(Boost 1.81 REQUIRED)
  find_package(RapidJSON REQUIRED)
  if(NOT TARGET RapidJSON::RapidJSON)
    add_library(RapidJSON::RapidJSON INTERFACE IMPORTED)
    set_target_properties(RapidJSON::RapidJSON PROPERTIES
      INTERFACE_INCLUDE_DIRECTORIES "${RAPIDJSON_INCLUDE_DIRS}"
      INTERFACE_COMPILE_DEFINITIONS "RAPIDJSON_HAS_STDSTRING=1")
  endif()
  if(FKV_BUILD_TESTS)
    find_package(doctest REQUIRED)
  endif()
endif()

# Linux arm64 cross build with Debian's g++-aarch64-linux-gnu and multiarch libssl-dev:arm64.
# Test executables run under qemu-aarch64-static (no binfmt_misc needed).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
# The arm64 glibc comes from Debian's multiarch libc6:arm64 (pulled in by libssl-dev:arm64), found by
# qemu at /lib/ld-linux-aarch64.so.1. Not `-L /usr/aarch64-linux-gnu`: with the cross toolchain's own
# libc (2.36-8cross1) threaded programs hang under qemu-user 7.2. libstdc++ is linked statically
# everywhere (as in the shipped binary), so no libstdc++6:arm64 is needed.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64-static)
set(CMAKE_EXE_LINKER_FLAGS_INIT -static-libstdc++)
# FindOpenSSL asks pkg-config first: make it read the arm64 .pc files, not the host's.
set(ENV{PKG_CONFIG_LIBDIR} /usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig)

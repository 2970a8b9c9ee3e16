// FKV_SANITIZED is defined in an AddressSanitizer/LeakSanitizer build (gcc or clang): such a process stays
// dumpable, because the leak checker ptraces it (platform/process.cpp, and its tests).
#pragma once

#if defined(__SANITIZE_ADDRESS__)
#define FKV_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(leak_sanitizer)
#define FKV_SANITIZED 1
#endif
#endif

// The secrets this process holds — the job token, OIDC and access tokens, the proxy password — so that
// a server text that echoes one (in an error message, an error code, a header) is redacted before it is
// printed. service_text() applies it to everything that comes from a server. Thread-safe.
//
// Strings shorter than 8 bytes are not held: they would redact ordinary words, and no credential the
// task handles is that short. Every occurrence of a held secret becomes "***"; longer secrets first, so
// a secret that contains another is redacted whole.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace fkv {

void hold_secret(std::string_view secret);
std::string redact_held_secrets(std::string_view text);

// Last line of defence for the Error contract: every occurrence of one of `secrets` (any length; empty
// ones are skipped) in any field of `error` becomes "***", whatever a service echoed.
Error redact_error(Error error, std::initializer_list<std::string_view> secrets);

// For tests: forget every held secret.
void forget_held_secrets();

}  // namespace fkv

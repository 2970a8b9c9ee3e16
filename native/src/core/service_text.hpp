// Text that a remote service sent (error messages, header values), made safe to print in our own
// messages. Deterministic, with one input besides its arguments: step 0 reads the secrets the process
// holds (core/redaction.hpp, a process-wide set).
//
// 0.-1. The gate (core/text_gate.hpp) with the secrets the process holds: every held secret becomes "***",
//    control characters become spaces (before step 2, so that none can hide a credential from it), bidi
//    overrides are removed, bytes that are not valid UTF-8 become '?'.
// 2. Credential-looking runs become "***" before the text is cut, so a service that echoes our
//    request cannot make us print a token, whole or cut: the word after "Bearer " (when 16 or more
//    token characters long), JWT-shaped runs ("eyJ…" with a dot), and the values of access_token,
//    client_assertion, client_secret, assertion, refresh_token and id_token (as key=value or
//    "key":"value").
//    Runs of spaces collapse; ends are trimmed.
// 3. A text longer than max_chars bytes is cut to at most max_chars (at a UTF-8 boundary), then "..."
//    is appended.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace fkv {

std::string service_text(std::string_view text, std::size_t max_chars);

// The first line of `text` (up to CR or LF), as service_text.
std::string service_first_line(std::string_view text, std::size_t max_chars);

}  // namespace fkv

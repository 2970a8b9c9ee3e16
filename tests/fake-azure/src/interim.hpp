// Interim (1xx) responses a fault sends before the real answer (RFC 9110 §15.2). HTTP/1.1 clients
// must read and skip them; a client that takes the first status line for the answer misreads it.
#pragma once
#include <string>

namespace fake {

// 100..199 except 101 (a protocol switch is not an interim answer the fake can follow up).
bool is_valid_interim_status(int status);

// The complete interim response, status line to empty line. 103 Early Hints carries a Link field.
std::string interim_response(int status);

}  // namespace fake

// The gate every text the task writes passes: each log line (agent::gate_line, used by the one stdout
// writer run/log_writer.cpp) and each text of the run summary (agent::render_summary, written by
// run/run_record.cpp). Pure: the held secrets are an argument.
//
// gate_text(text, held):
// 1. every held secret (core/redaction.hpp) becomes "***" (first: a secret that holds a control character
//    is still found whole);
// 2. printable_text(): what a terminal or a log viewer would act on instead of showing it is replaced.
//
// printable_text(text): C0 controls (NUL, BEL, ESC, TAB, CR, LF, ...), DEL, the C1 controls
// (U+0080-U+009F) and the bidirectional embeddings, overrides and isolates (U+202A-U+202E,
// U+2066-U+2069) become a space (a space, not nothing: removing one could join the halves of a secret
// after step 1); a byte that is not part of valid UTF-8 becomes '?'. Everything else, including other
// non-ASCII text, stays.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/redaction.hpp"

namespace fkv {

std::string printable_text(std::string_view text);
std::string gate_text(std::string_view text, const SecretIndex& held);

// Length of the valid UTF-8 sequence at `at` (1-4), or 0 when the bytes there are not one.
std::size_t utf8_length(std::string_view s, std::size_t at);

}  // namespace fkv

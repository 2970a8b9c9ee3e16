// The gate (core/text_gate.hpp) and the held-secret index (core/redaction.hpp): tables.
#include "core/text_gate.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

using fkv::gate_text;
using fkv::printable_text;
using fkv::SecretIndex;

TEST_CASE("SecretIndex: every byte of every occurrence of a held secret is redacted") {
  SecretIndex held;
  for (const char* s : {"value-of-s00-7f3a9c", "short", "p;ss%w]rd-9", "abcdefgh", "abcdefghXYZ", "ghXYZ123"}) {
    held.add(s);
  }
  held.add("abcdefgh");  // again: held once
  CHECK(held.size() == 5);
  struct Row {
    const char* in;
    const char* out;
  };
  const Row rows[] = {
      {"", ""},
      {"nothing here", "nothing here"},
      {"short", "short"},  // under 8 bytes: not held
      {"error: value-of-s00-7f3a9c was rejected", "error: *** was rejected"},
      {"value-of-s00-7f3a9cvalue-of-s00-7f3a9c", "***"},  // adjacent occurrences: one run
      {"x abcdefghXYZ y", "x *** y"},                     // the longer secret whole
      {"x abcdefghXYZ123 y", "x *** y"},                  // overlapping secrets: nothing of either is left
      {"abcdefg", "abcdefg"},                             // a prefix is not the secret
      {"[p;ss%w]rd-9]", "[***]"},                         // any bytes
      {"value-of-s00-7f3a9", "value-of-s00-7f3a9"},       // cut: not the secret
  };
  for (const auto& row : rows) {
    CAPTURE(std::string(row.in));
    CHECK(held.redact(row.in) == row.out);
  }
}

TEST_CASE("SecretIndex: thousands of held values cost one probe per byte") {
  SecretIndex held;
  for (int i = 0; i < 5000; ++i) held.add("value-" + std::to_string(100000 + i) + "-padding");
  std::string text;
  for (int i = 0; i < 2000; ++i) text += "Number of secrets found in fkv-vault: 5000. ";
  text += "value-104999-padding";
  const auto started = std::chrono::steady_clock::now();
  const std::string out = held.redact(text);
  const auto took = std::chrono::steady_clock::now() - started;
  CHECK(out.size() == text.size() - std::string("value-104999-padding").size() + 3);
  CHECK(out.ends_with(" ***"));
  CHECK(took < std::chrono::milliseconds(200));  // ~90 kB against 5000 values (a plain loop: ~450 M compares)
}

TEST_CASE("printable_text: controls and bidi overrides become spaces, invalid UTF-8 becomes '?'") {
  struct Row {
    std::string in;
    std::string out;
  };
  const std::vector<Row> rows = {
      {"plain text", "plain text"},
      {"esc\x1b[2Jbell\x07nul" + std::string(1, '\0') + "end", "esc [2Jbell nul end"},
      {"tab\tcr\rlf\ndel\x7f", "tab cr lf del "},
      {"c1 \xc2\x9b"
       "31m csi",
       "c1  31m csi"},  // U+009B
      {"iss \xe2\x80\xae"
       "evil\xe2\x80\xac end",
       "iss  evil  end"},  // U+202E, U+202C
      {"\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xad\xe2\x81\xa6\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9x", "       x"},
      {"keeps \xc3\xa9t\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x94\x91",
       "keeps \xc3\xa9t\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x94\x91"},
      {"\xe2\x80\xaf narrow nbsp stays", "\xe2\x80\xaf narrow nbsp stays"},  // U+202F is not a control
      {"latin1 \xe9 byte, cut \xe2\x80", "latin1 ? byte, cut ??"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.in);
    CHECK(printable_text(row.in) == row.out);
  }
}

TEST_CASE("gate_text: held secrets first (a control byte inside one does not save it), then printable") {
  SecretIndex held;
  held.add("tok\x1b"
           "en-secret-1");
  held.add("value-of-s01-7f3a9c");
  CHECK(gate_text("a tok\x1b"
                  "en-secret-1 b",
                  held) == "a *** b");
  CHECK(gate_text("\xe2\x80\xaevalue-of-s01-7f3a9c\x07", held) == " *** ");
  // A bidi override inside a value cannot make the gate print the value whole.
  CHECK(gate_text("value-of-s01-\xe2\x80\xae"
                  "7f3a9c",
                  held) == "value-of-s01- 7f3a9c");
}

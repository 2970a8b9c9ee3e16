// What a secret becomes (secrets/become.hpp: compact_json, become) as the log writer renders it
// (run/log_writer.hpp: secret_lines), checked through the agent's parser model (tests/support/agent_log.hpp). Input (FuzzedDataProvider): up to four
// secrets, each a flag byte (pin a version / use the reserved name PATH) and a value.
// Properties:
// - compact_json gives one line (no CR/LF), and compacting that again changes nothing;
// - the plan's lines, read by the agent, set every non-reserved secret's variables to exactly the
//   value (compacted when it is multi-line JSON) as secret variables, reject no command, and register
//   every line of key material (8+ base64 characters) of a multi-line value with the masker, never a line
//   shorter than 4 characters or without a letter or digit (issue 18); a reserved name is a failure.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "agent_log.hpp"
#include "core/text.hpp"
#include "fuzz_support.hpp"
#include "run/log_writer.hpp"
#include "secrets/become.hpp"

namespace {

bool base64_line(std::string_view s) {
  return s.size() >= 8 &&
         std::all_of(
             s.begin(), s.end(),
             [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '='; }) &&
         std::any_of(s.begin(), s.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)); });
}

bool has_alnum(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || static_cast<unsigned char>(c) >= 0x80;
  });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider input(data, size);
  struct Secret {
    fkv::vault::SecretRef ref;
    std::string value;
  };
  std::vector<Secret> secrets;
  const std::size_t count = input.ConsumeIntegralInRange<std::size_t>(1, 4);
  for (std::size_t i = 0; i < count; ++i) {
    const auto flags = input.ConsumeIntegral<std::uint8_t>();
    Secret secret;
    secret.ref.name = (flags & 2) ? "PATH" : "secret-" + std::to_string(i);
    if (flags & 1) secret.ref.version = "0123456789abcdef" + std::to_string(i);
    secret.value = input.ConsumeRandomLengthString(4096);
    secrets.push_back(std::move(secret));
  }

  for (const auto& secret : secrets) {
    if (const auto compact = fkv::secrets::compact_json(secret.value)) {
      FKV_FUZZ_CHECK(compact->find_first_of("\r\n") == std::string::npos);
      const auto again = fkv::secrets::compact_json(*compact);
      FKV_FUZZ_CHECK(again && *again == *compact);
    }
  }

  std::string stdout_text;
  std::size_t failures = 0, set = 0;
  bool multiline_allowed = false;
  for (const auto& secret : secrets) {
    fkv::vault::SecretOutcome fetched;
    fetched.ref = secret.ref;
    fetched.value = secret.value;
    fkv::run::SecretDone done{secret.ref, fkv::secrets::become(fetched, {}, {}), false};
    failures += done.result.failure ? 1 : 0;
    set += done.result.set ? 1 : 0;
    for (const auto& line : fkv::run::secret_lines(done, multiline_allowed)) {
      FKV_FUZZ_CHECK(line.find_first_of("\r\n") == std::string::npos);
      stdout_text += line + "\n";
    }
  }
  const fkv::test::AgentLog log = fkv::test::parse_agent_log(stdout_text);
  FKV_FUZZ_CHECK(log.rejected.empty());

  std::size_t reserved = 0;
  for (const auto& secret : secrets) {
    if (secret.ref.name == "PATH") {
      ++reserved;
      continue;
    }
    std::string expected = secret.value;
    const bool multiline = expected.find_first_of("\r\n") != std::string::npos;
    const auto compact = multiline ? fkv::secrets::compact_json(expected) : std::nullopt;
    if (compact) expected = *compact;
    for (const std::string& name : {secret.ref.name, secret.ref.text()}) {
      auto it = log.variables.find(name);
      FKV_FUZZ_CHECK(it != log.variables.end());
      FKV_FUZZ_CHECK(it->second.value == expected && it->second.secret);
    }
    if (multiline && !compact) {
      // Issue 18: a line of key material (trimmed, 8 or more base64 characters) is registered; a line that,
      // trimmed, is shorter than 4 characters or has no letter or digit never is.
      std::size_t start = 0;
      for (std::size_t i = 0; i <= expected.size(); ++i) {
        if (i < expected.size() && expected[i] != '\r' && expected[i] != '\n') continue;
        const std::string line(fkv::trim(std::string_view(expected).substr(start, i - start)));
        const bool registered = std::find(log.masked.begin(), log.masked.end(), line) != log.masked.end();
        if (base64_line(line)) FKV_FUZZ_CHECK(registered);
        // (unless it is also the whole value of one of the secrets, which is registered as it is)
        const bool whole = std::any_of(secrets.begin(), secrets.end(), [&](const Secret& other) {
          return other.value == line || fkv::secrets::compact_json(other.value) == line;
        });
        if (line.size() < 4 || !has_alnum(line)) FKV_FUZZ_CHECK(!registered || whole);
        start = i + 1;
      }
    }
  }
  FKV_FUZZ_CHECK(failures == reserved);
  FKV_FUZZ_CHECK(set + reserved == secrets.size());
  return 0;
}

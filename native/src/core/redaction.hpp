// The secrets this process holds — the job token, OIDC and access tokens, the client secret, the proxy
// password, certificate key material and every downloaded value (with the lines and JSON text registered
// for it) — so that no text the task writes carries one: the gate (core/text_gate.hpp) redacts them from
// every log line and the run summary, and service_text() from everything a server sent. Thread-safe.
//
// Strings shorter than 8 bytes are not held: they would redact ordinary words, and no credential the
// task handles is that short. Every byte covered by an occurrence of a held secret is redacted: each
// maximal run of covered bytes becomes one "***", so overlapping or nested secrets leave nothing behind.
#pragma once

#include <bitset>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/error.hpp"

namespace fkv {

// A set of secrets and their redaction. Pure. Indexed by each secret's first 8 bytes, so redacting a
// text costs one probe per byte (a filter bit, then a hash lookup) plus a comparison per candidate,
// whatever the number of secrets held (a run holds thousands of values).
class SecretIndex {
 public:
  static constexpr std::size_t kMinLength = 8;
  void add(std::string_view secret);  // shorter than kMinLength or already held: nothing
  std::string redact(std::string_view text) const;
  std::size_t size() const { return secrets_.size(); }

 private:
  static std::uint64_t key_at(std::string_view text, std::size_t at);
  static std::size_t filter_bit(std::uint64_t key);
  std::vector<std::string> secrets_;
  std::unordered_map<std::uint64_t, std::vector<std::size_t>> by_prefix_;  // first 8 bytes -> secrets_
  std::bitset<65536> filter_;                                              // filter_bit of every key
};

// The process's held secrets.
void hold_secret(std::string_view secret);
std::string redact_held_secrets(std::string_view text);
// `use` applied to the held secrets, locked for the call (the gate: core/text_gate.hpp).
std::string with_held_secrets(const std::function<std::string(const SecretIndex&)>& use);

// Last line of defence for the Error contract: every occurrence of one of `secrets` (any length; empty
// ones are skipped) in any field of `error` becomes "***", whatever a service echoed.
Error redact_error(Error error, std::initializer_list<std::string_view> secrets);

// For tests: forget every held secret.
void forget_held_secrets();

}  // namespace fkv

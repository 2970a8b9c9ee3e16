#include "core/service_text.hpp"

#include <array>

#include "core/redaction.hpp"
#include "core/text.hpp"
#include "core/text_gate.hpp"

namespace fkv {
namespace {

// Shorter words after "Bearer " are prose ("Bearer or PoP token"); real tokens are far longer.
constexpr std::size_t kMinTokenLength = 16;

bool token_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '.' || c == '~' || c == '+' || c == '/' || c == '=' || c == '%';
}

// Length of the value that starts at `from`: up to a delimiter of form bodies, JSON and prose.
std::size_t value_length(std::string_view text, std::size_t from) {
  std::size_t end = from;
  while (end < text.size() && text[end] != '&' && text[end] != '"' && text[end] != '\'' && text[end] != ',' &&
         text[end] != ' ' && static_cast<unsigned char>(text[end]) >= 0x20) {
    ++end;
  }
  return end - from;
}

bool starts_with_icase(std::string_view text, std::size_t at, std::string_view prefix) {
  return text.size() - at >= prefix.size() && iequals(text.substr(at, prefix.size()), prefix);
}

std::string redact_credentials(std::string_view text) {
  static constexpr std::array<std::string_view, 6> keys = {"access_token",  "client_assertion", "client_secret",
                                                           "refresh_token", "id_token",         "assertion"};
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    // "Bearer <token>"
    if (starts_with_icase(text, i, "bearer ")) {
      std::size_t start = i + 7;
      while (start < text.size() && text[start] == ' ') ++start;
      std::size_t end = start;
      while (end < text.size() && token_char(text[end])) ++end;
      if (end - start >= kMinTokenLength) {
        out.append(text.substr(i, start - i)).append("***");
        i = end;
        continue;
      }
    }
    // A JWT-shaped run: eyJ... containing a dot (at a word boundary).
    if (text.compare(i, 3, "eyJ") == 0 && (i == 0 || !token_char(text[i - 1]))) {
      std::size_t end = i;
      bool dotted = false;
      while (end < text.size() && token_char(text[end])) dotted |= text[end++] == '.';
      if (dotted) {
        out.append("***");
        i = end;
        continue;
      }
    }
    // key=value, "key":"value", "key": "value"
    bool matched = false;
    for (std::string_view key : keys) {
      if (!starts_with_icase(text, i, key) ||
          (i > 0 && (std::isalnum(static_cast<unsigned char>(text[i - 1])) || text[i - 1] == '_'))) {
        continue;
      }
      std::size_t at = i + key.size();
      if (at < text.size() && text[at] == '"') ++at;
      if (at >= text.size() || (text[at] != '=' && text[at] != ':')) continue;
      ++at;
      while (at < text.size() && (text[at] == ' ' || text[at] == '"')) ++at;
      const std::size_t length = value_length(text, at);
      if (length == 0) continue;
      out.append(text.substr(i, at - i)).append("***");
      i = at + length;
      matched = true;
      break;
    }
    if (matched) continue;
    out.push_back(text[i++]);
  }
  return out;
}

}  // namespace

std::string service_text(std::string_view text, std::size_t max_chars) {
  // Held secrets first (a control character inside one must not save it), then control characters and
  // invalid UTF-8 become spaces / '?' *before* the credential patterns, so that none can hide a credential
  // from them ("access_token=\x01<token>", "Bearer\t<token>") and then print as a space.
  const std::string spaced = with_held_secrets([&](const SecretIndex& held) { return gate_text(text, held); });
  const std::string safe = redact_credentials(spaced);
  std::string out;
  for (char c : safe) {
    if (c == ' ' && (out.empty() || out.back() == ' ')) continue;
    out.push_back(c);
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (out.size() > max_chars) {
    std::size_t cut = max_chars;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;  // UTF-8 boundary
    out.resize(cut);
    out += "...";
  }
  return out;
}

std::string service_first_line(std::string_view text, std::size_t max_chars) {
  return service_text(text.substr(0, text.find_first_of("\r\n")), max_chars);
}

}  // namespace fkv

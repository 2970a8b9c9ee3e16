#include "core/redaction.hpp"

#include <algorithm>
#include <mutex>
#include <vector>

namespace fkv {
namespace {

constexpr std::size_t kMinLength = 8;

struct Held {
  std::mutex mutex;
  std::vector<std::string> secrets;  // longest first
};

Held& held() {
  static Held instance;
  return instance;
}

}  // namespace

void hold_secret(std::string_view secret) {
  if (secret.size() < kMinLength) return;
  Held& h = held();
  std::lock_guard lock(h.mutex);
  if (std::find(h.secrets.begin(), h.secrets.end(), secret) != h.secrets.end()) return;
  h.secrets.emplace_back(secret);
  std::stable_sort(h.secrets.begin(), h.secrets.end(),
                   [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

std::string redact_held_secrets(std::string_view text) {
  Held& h = held();
  std::lock_guard lock(h.mutex);
  std::string out(text);
  for (const auto& secret : h.secrets) {
    for (std::size_t at = out.find(secret); at != std::string::npos; at = out.find(secret, at + 3)) {
      out.replace(at, secret.size(), "***");
    }
  }
  return out;
}

Error redact_error(Error error, std::initializer_list<std::string_view> secrets) {
  auto replace_all = [](std::string& text, std::string_view secret) {
    for (auto pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos + 3)) {
      text.replace(pos, secret.size(), "***");
    }
  };
  for (std::string_view secret : secrets) {
    if (secret.empty()) continue;
    replace_all(error.message, secret);
    replace_all(error.hint, secret);
    replace_all(error.subject, secret);
    replace_all(error.service_code, secret);
    for (auto& [name, value] : error.correlation) {
      replace_all(name, secret);
      replace_all(value, secret);
    }
  }
  return error;
}

void forget_held_secrets() {
  Held& h = held();
  std::lock_guard lock(h.mutex);
  h.secrets.clear();
}

}  // namespace fkv

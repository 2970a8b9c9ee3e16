#include "core/redaction.hpp"

#include <cstring>
#include <mutex>

namespace fkv {

std::uint64_t SecretIndex::key_at(std::string_view text, std::size_t at) {
  std::uint64_t key = 0;
  std::memcpy(&key, text.data() + at, sizeof key);
  return key;
}

std::size_t SecretIndex::filter_bit(std::uint64_t key) {
  return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ull) >> 48);
}

void SecretIndex::add(std::string_view secret) {
  static_assert(kMinLength == sizeof(std::uint64_t));
  if (secret.size() < kMinLength) return;
  const std::uint64_t key = key_at(secret, 0);
  auto& bucket = by_prefix_[key];
  for (std::size_t i : bucket) {
    if (secrets_[i] == secret) return;
  }
  bucket.push_back(secrets_.size());
  secrets_.emplace_back(secret);
  filter_.set(filter_bit(key));
}

std::string SecretIndex::redact(std::string_view text) const {
  if (secrets_.empty() || text.size() < kMinLength) return std::string(text);
  std::string out;
  out.reserve(text.size());
  std::size_t covered_to = 0;  // the end of the furthest occurrence that started at or before i
  bool in_run = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (i + kMinLength <= text.size()) {
      const std::uint64_t key = key_at(text, i);
      if (filter_.test(filter_bit(key))) {
        if (auto found = by_prefix_.find(key); found != by_prefix_.end()) {
          for (std::size_t s : found->second) {
            const std::string& secret = secrets_[s];
            if (i + secret.size() > covered_to && text.compare(i, secret.size(), secret) == 0) {
              covered_to = i + secret.size();
            }
          }
        }
      }
    }
    if (i >= covered_to) {
      in_run = false;
      out.push_back(text[i]);
    } else if (!in_run) {
      in_run = true;
      out += "***";
    }
  }
  return out;
}

namespace {

struct Held {
  std::mutex mutex;
  SecretIndex index;
};

Held& held() {
  static Held instance;
  return instance;
}

}  // namespace

void hold_secret(std::string_view secret) {
  if (secret.size() < SecretIndex::kMinLength) return;
  Held& h = held();
  std::lock_guard lock(h.mutex);
  h.index.add(secret);
}

std::string redact_held_secrets(std::string_view text) {
  Held& h = held();
  std::lock_guard lock(h.mutex);
  return h.index.redact(text);
}

std::string with_held_secrets(const std::function<std::string(const SecretIndex&)>& use) {
  Held& h = held();
  std::lock_guard lock(h.mutex);
  return use(h.index);
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
  h.index = SecretIndex();
}

}  // namespace fkv

#include "state.hpp"

#include "util.hpp"

namespace fake {

void TokenRegistry::add_oidc(const std::string& token) {
  std::lock_guard lock(mutex_);
  oidc_.insert(token);
}
bool TokenRegistry::is_oidc(const std::string& token) const {
  std::lock_guard lock(mutex_);
  return oidc_.count(token) != 0;
}
std::string TokenRegistry::issue_access(const std::string& tenant, const std::string& client_id,
                                        const std::string& resource, std::int64_t expires_at, std::string* short_id) {
  std::string token = "fkvat." + base64url_encode(random_bytes(48));
  AccessToken record{tenant, client_id, resource, expires_at, random_hex(4)};
  if (short_id) *short_id = record.short_id;
  std::lock_guard lock(mutex_);
  access_.emplace(token, std::move(record));
  return token;
}
std::optional<AccessToken> TokenRegistry::find_access(const std::string& token) const {
  std::lock_guard lock(mutex_);
  auto it = access_.find(token);
  if (it == access_.end()) return std::nullopt;
  return it->second;
}

bool RateWindows::admit(const std::string& key, int limit, std::int64_t window_ms, std::int64_t now_ms) {
  if (limit <= 0) return true;
  std::lock_guard lock(mutex_);
  auto& q = windows_[key];
  while (!q.empty() && q.front() <= now_ms - window_ms) q.pop_front();
  if (q.size() >= std::size_t(limit)) return false;
  q.push_back(now_ms);
  return true;
}

std::int64_t FirstTimes::first(const std::string& key, std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  return first_.emplace(key, now_ms).first->second;
}

int Counters::next(std::size_t index) {
  std::lock_guard lock(mutex_);
  return ++counts_[index];
}

}  // namespace fake

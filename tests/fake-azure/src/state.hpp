// Mutable, thread-safe state shared by all connections: issued tokens and per-vault rate windows.
#pragma once
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>

namespace fake {

struct AccessToken {
  std::string tenant, client_id, resource;
  std::int64_t expires_at = 0;  // unix seconds
  std::string short_id;         // what the request log shows ("access:<short_id>")
};

class TokenRegistry {
 public:
  void add_oidc(const std::string& token);
  bool is_oidc(const std::string& token) const;
  // Issues a fresh random access token and returns it.
  std::string issue_access(const std::string& tenant, const std::string& client_id, const std::string& resource,
                           std::int64_t expires_at, std::string* short_id = nullptr);
  std::optional<AccessToken> find_access(const std::string& token) const;

 private:
  mutable std::mutex mutex_;
  std::unordered_set<std::string> oidc_;
  std::unordered_map<std::string, AccessToken> access_;
};

// Sliding-window request counter per key (vault): admit() is false once `limit` admitted requests
// fall inside the last `window_ms`. Refused requests are not counted (as Key Vault documents).
class RateWindows {
 public:
  bool admit(const std::string& key, int limit, std::int64_t window_ms, std::int64_t now_ms);

 private:
  std::mutex mutex_;
  std::map<std::string, std::deque<std::int64_t>> windows_;
};

// When each key (vault) first did something, in epoch ms: a vault's role assignment "applies"
// accessAppliesAfterMs after its first refusal.
class FirstTimes {
 public:
  // The time recorded for `key`, recording `now_ms` if there is none yet.
  std::int64_t first(const std::string& key, std::int64_t now_ms);

 private:
  std::mutex mutex_;
  std::map<std::string, std::int64_t> first_;
};

// Occurrence counters for fault rules.
class Counters {
 public:
  int next(std::size_t index);

 private:
  std::mutex mutex_;
  std::map<std::size_t, int> counts_;
};

}  // namespace fake

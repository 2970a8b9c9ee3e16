// A test double for the HTTP seam: records every request and answers from a script.
//
// Responses are matched in order of registration by method and a URL predicate; each rule can
// answer once or forever. An unmatched request fails the calling test (and returns a protocol
// TransportError so the code under test sees a failure, not a hang). Thread-safe.
#pragma once

#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "net/http.hpp"

namespace fkv::test {

class FakeHttpClient : public net::HttpClient {
 public:
  using Matcher = std::function<bool(const net::Request&)>;

  // Answer requests whose method equals `method` and whose URL (Url::str()) starts with `url_prefix`.
  FakeHttpClient& on(std::string method, std::string url_prefix, net::Outcome outcome, bool once = false) {
    return on_match([method = std::move(method), url_prefix = std::move(url_prefix)](
                        const net::Request& r) { return r.method == method && r.url.str().rfind(url_prefix, 0) == 0; },
                    std::move(outcome), once);
  }

  FakeHttpClient& on_match(Matcher matcher, net::Outcome outcome, bool once = false) {
    std::lock_guard lock(mutex_);
    rules_.push_back(Rule{std::move(matcher), std::move(outcome), once, false});
    return *this;
  }

  net::Outcome send(const net::Request& request) override {
    std::lock_guard lock(mutex_);
    requests_.push_back(request);
    for (auto& rule : rules_) {
      if (rule.used && rule.once) continue;
      if (!rule.matcher(request)) continue;
      rule.used = true;
      return rule.outcome;
    }
    unmatched_.push_back(request.method + " " + request.url.str());
    return net::TransportError{net::TransportError::Kind::protocol, "no scripted response"};
  }

  std::vector<net::Request> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  std::vector<std::string> unmatched() const {
    std::lock_guard lock(mutex_);
    return unmatched_;
  }

  static net::Response json(int status, std::string body, std::vector<net::Header> headers = {}) {
    headers.push_back({"Content-Type", "application/json; charset=utf-8"});
    return net::Response{status, std::move(headers), std::move(body)};
  }

 private:
  struct Rule {
    Matcher matcher;
    net::Outcome outcome;
    bool once;
    bool used;
  };
  mutable std::mutex mutex_;
  std::vector<Rule> rules_;
  std::vector<net::Request> requests_;
  std::vector<std::string> unmatched_;
};

}  // namespace fkv::test

#include "vault/client.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <set>
#include <thread>

#include "net/retry.hpp"
#include "platform/thread.hpp"
#include "vault/challenge.hpp"
#include "vault/kv_json.hpp"
#include "vault/messages.hpp"
#include "core/service_text.hpp"
#include "core/text.hpp"

namespace fkv::vault {
namespace {

constexpr std::string_view kApiVersion = "7.5";

// The current vault token, and the at-most-once-per-scope refresh after a 401 challenge.
class TokenState {
 public:
  TokenState(std::string token, const TokenSource& source) : token_(std::move(token)), source_(source) {}

  struct Snapshot {
    std::string token;
    unsigned generation = 0;
  };

  Snapshot current() {
    std::lock_guard lock(mutex_);
    return {token_, generation_};
  }

  // After a 401 challenge for `scope` on a request sent with token generation `used`.
  // Returns a token to retry with, nullopt to give up (this scope was already refreshed and still
  // failed), or an Error when re-acquisition failed (fatal).
  Expected<std::optional<Snapshot>> after_challenge(unsigned used, const std::string& scope) {
    std::lock_guard lock(mutex_);
    if (generation_ != used) return std::optional<Snapshot>(Snapshot{token_, generation_});
    if (failure_) return *failure_;
    if (!refreshed_scopes_.insert(scope).second) return std::optional<Snapshot>();
    auto fresh = source_ ? source_(scope) : Expected<std::string>(Error{});
    if (!fresh) {
      failure_ = fresh.error();
      return fresh.error();
    }
    token_ = std::move(*fresh);
    ++generation_;
    return std::optional<Snapshot>(Snapshot{token_, generation_});
  }

 private:
  std::mutex mutex_;
  std::string token_;
  unsigned generation_ = 0;
  std::set<std::string> refreshed_scopes_;
  std::optional<Error> failure_;
  const TokenSource& source_;
};

// Result of one authorised exchange.
struct Reply {
  std::optional<net::Response> response;
  std::optional<Error> error;
  bool stop = false;  // `error` ends every remaining request of the run (see client.hpp)
};

class Session {
 public:
  Session(net::HttpClient& http, const ClientOptions& options, TokenState& tokens, Throttle& throttle,
          const DownloadHooks& hooks)
      : http_(http),
        options_(options),
        tokens_(tokens),
        throttle_(throttle),
        access_wait_(options.access_wait),
        hooks_(hooks) {}

  // One request's answer; an access-denied 403 is sent again while AccessWaitSeconds allows.
  Reply get(const std::string& target, const Target& about) {
    for (unsigned retries = 0;; ++retries) {
      Reply reply = exchange(target, about);
      if (!reply.response || !access_wait_.enabled()) return reply;
      const auto denial = access_denial(*reply.response);
      if (!denial) return reply;
      const auto remaining = options_.run ? std::optional<std::chrono::milliseconds>(options_.run->remaining())
                                          : std::nullopt;
      const auto decision = access_wait_.denied(AccessWait::Clock::now(), retries, remaining);
      if (!decision.pause) return reply;
      if (decision.announce && hooks_.access_waiting) hooks_.access_waiting(*denial, options_.access_wait.wait);
      if (options_.run ? !options_.run->sleep_for(*decision.pause)
                       : (std::this_thread::sleep_for(*decision.pause), false)) {
        if (auto stop = run_stop(about, nullptr)) return *stop;
        return reply;
      }
    }
  }

 private:
  // One authorised exchange: the 401 challenge is followed once.
  Reply exchange(const std::string& target, const Target& about) {
    if (auto stop = run_stop(about, nullptr)) return *stop;
    net::Request request;
    request.method = "GET";
    request.url = options_.vault_url;
    request.url.target = target;
    request.headers.push_back({"Accept", "application/json"});
    request.timeout = options_.timeout;

    auto snapshot = tokens_.current();
    for (int attempt = 0;; ++attempt) {
      request.bearer = net::Bearer{snapshot.token, options_.vault_url.host};
      net::Outcome outcome = send(request, about.secret.empty() ? Lane::list : Lane::get);
      if (auto* transport = std::get_if<net::TransportError>(&outcome)) {
        if (auto stop = run_stop(about, transport)) return *stop;
        Reply r;
        r.error = error_from_transport(about, *transport, options_.vault_url.host, reached_.load());
        r.stop = transport->kind == net::TransportError::Kind::resolve_not_found;
        return r;
      }
      auto& response = std::get<net::Response>(outcome);
      reached_.store(true);
      if (response.status != 401 || attempt > 0) return Reply{std::move(response), std::nullopt, false};

      auto header = response.header("WWW-Authenticate");
      auto challenge = header ? parse_challenge(*header) : std::nullopt;
      const std::string scope = challenge ? challenge->token_scope() : std::string();
      if (scope.empty()) return Reply{std::move(response), std::nullopt, false};
      if (!challenge_scope_allowed(scope, options_.vault_url.host)) {
        Error e = error_from_response(about, response);
        e.message = "Key Vault answered 401 for " +
                    (about.secret.empty() ? std::string("the list of secrets") : "secret '" + about.secret + "'") +
                    " with a challenge for the resource '" + service_first_line(scope, 200) +
                    "', which is not this vault's own resource (" + options_.vault_url.host +
                    " must end with '.' and the resource's host, the scope with '/.default'), so the challenge was "
                    "not followed.";
        e.hint = "Check the service connection's cloud settings (AzureKeyVaultDnsSuffix, "
                 "AzureKeyVaultServiceEndpointResourceId), or a proxy may be rewriting responses.";
        return Reply{std::nullopt, std::move(e), false};
      }
      auto next = tokens_.after_challenge(snapshot.generation, scope);
      if (!next) {
        if (auto stop = run_stop(about, nullptr)) return *stop;  // the refresh failed because the run stopped
        return Reply{std::nullopt, next.error(), true};
      }
      if (!next->has_value()) return Reply{std::move(response), std::nullopt, false};
      snapshot = **next;
    }
  }

  // One exchange through the throttle controller: throttled answers wait for the pool's pause and are sent
  // again (bounded by the run's deadline and kMaxThrottled), everything else is returned.
  net::Outcome send(const net::Request& request, Lane lane) {
    constexpr int kMaxThrottled = 100;
    for (int throttled = 0;; ++throttled) {
      if (!throttle_.acquire(lane)) {
        const bool cancelled = options_.run && options_.run->cancelled();
        return net::TransportError{
            cancelled ? net::TransportError::Kind::cancelled : net::TransportError::Kind::timeout,
            "the run stopped while requests to " + options_.vault_url.authority() + " were paused for throttling",
            net::TransportError::Phase::pool};
      }
      net::Outcome outcome = http_.send(request);
      const auto* response = std::get_if<net::Response>(&outcome);
      const auto now = std::chrono::system_clock::now();
      const bool is_throttled = response && net::is_throttled(*response, now);
      throttle_.release(lane, is_throttled, is_throttled ? net::server_retry_delay(*response, now) : std::nullopt);
      if (!is_throttled || throttled >= kMaxThrottled) return outcome;
    }
  }

  // The run is over for every request: cancelled, or its deadline passed (a timeout at or after the
  // deadline is the deadline's doing, whatever phase it hit).
  std::optional<Reply> run_stop(const Target& about, const net::TransportError* outcome) const {
    const RunControl* run = options_.run;
    using Kind = net::TransportError::Kind;
    const bool cancelled = (run && run->cancelled()) || (outcome && outcome->kind == Kind::cancelled);
    if (cancelled) {
      return Reply{std::nullopt, cancelled_error(about, signal_name(run ? run->cancel_signal() : 0)), true};
    }
    // A timeout that ends within a moment of the deadline is the deadline's doing: each request's timeout is
    // capped by what was left of the run, so it fires just before the deadline itself.
    constexpr std::chrono::milliseconds kMargin{500};
    const bool at_deadline = run && (run->expired() || (outcome && run->remaining() < kMargin));
    if (at_deadline && (!outcome || outcome->kind == Kind::timeout)) {
      net::TransportError stalled = outcome ? *outcome : net::TransportError{Kind::timeout, "", {}};
      return Reply{
          std::nullopt,
          deadline_error(about, stalled, options_.vault_url.host, static_cast<long long>(run->budget().count())), true};
    }
    return std::nullopt;
  }

  net::HttpClient& http_;
  const ClientOptions& options_;
  TokenState& tokens_;
  Throttle& throttle_;
  AccessWait access_wait_;
  const DownloadHooks& hooks_;
  std::atomic<bool> reached_{false};  // the vault has answered at least once in this run
};

struct Job {
  std::size_t index;
  SecretRef ref;
};

// Producer/consumer state shared by the lister and the GET workers. Holds names, never values.
class Pipeline {
 public:
  void push(SecretRef ref) {
    std::vector<SecretRef> one;
    one.push_back(std::move(ref));
    push(std::move(one));
  }
  // A page's names at once: one lock, and the workers are woken after it is released.
  void push(std::vector<SecretRef> refs) {
    {
      std::lock_guard lock(mutex_);
      for (auto& ref : refs) {
        Job job{next_index_++, std::move(ref)};
        if (stopped_) {
          not_fetched_.push_back(std::move(job));
        } else {
          jobs_.push_back(std::move(job));
        }
      }
      if (stopped_) return;
    }
    for (std::size_t i = 0; i < refs.size(); ++i) cv_.notify_one();
  }
  void close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    cv_.notify_all();
  }
  // Ends every remaining request: queued jobs become not fetched. The first reason is kept.
  void stop(Error reason) {
    std::lock_guard lock(mutex_);
    if (!stopped_) stopped_ = std::move(reason);
    for (auto& job : jobs_) not_fetched_.push_back(std::move(job));
    jobs_.clear();
    closed_ = true;
    cv_.notify_all();
  }
  bool stopped() {
    std::lock_guard lock(mutex_);
    return stopped_.has_value();
  }
  void not_fetched(Job job) {
    std::lock_guard lock(mutex_);
    not_fetched_.push_back(std::move(job));
  }
  std::optional<Job> next() {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return !jobs_.empty() || closed_; });
    if (jobs_.empty()) return std::nullopt;
    Job job = std::move(jobs_.front());
    jobs_.pop_front();
    return job;
  }
  // After every thread has been joined.
  void finish(DownloadSummary& summary) {
    summary.stopped = std::move(stopped_);
    std::sort(not_fetched_.begin(), not_fetched_.end(), [](const Job& a, const Job& b) { return a.index < b.index; });
    for (auto& job : not_fetched_) summary.not_fetched.push_back(std::move(job.ref));
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Job> jobs_;
  std::size_t next_index_ = 0;
  bool closed_ = false;
  std::optional<Error> stopped_;
  std::vector<Job> not_fetched_;
};

std::string secret_target(const SecretRef& ref) {
  std::string t = "/secrets/" + ref.name;
  if (!ref.version.empty()) t += "/" + ref.version;
  return t + "?api-version=" + std::string(kApiVersion);
}

struct Shared {
  Session& session;
  Pipeline& pipeline;
  const ClientOptions& options;
  const DownloadHooks& hooks;
  std::atomic<std::size_t> delivered{0};
};

void fetch_all(Shared& shared) {
  while (auto job = shared.pipeline.next()) {
    SecretOutcome outcome;
    outcome.index = job->index;
    outcome.ref = job->ref;
    const Target about{Stage::vault_get, shared.options.vault_name, job->ref.text()};
    Reply reply = shared.session.get(secret_target(job->ref), about);
    if (reply.stop) {
      shared.pipeline.stop(std::move(*reply.error));
      shared.pipeline.not_fetched(std::move(*job));
      continue;  // next() now drains nothing and returns nullopt
    }
    if (reply.error) {
      outcome.error = std::move(reply.error);
    } else if (reply.response->status != 200) {
      outcome.error = error_from_response(about, *reply.response);
    } else if (auto bundle = parse_secret_bundle(reply.response->body)) {
      if (bundle->attributes.nbf && *bundle->attributes.nbf > shared.options.now) {
        outcome.not_before = bundle->attributes.nbf;
      }
      outcome.expires = bundle->attributes.exp;
      outcome.value = std::move(bundle->value);
      outcome.content_type = std::move(bundle->content_type);
    } else {
      Error e = bundle.error();
      e.subject = about.secret;
      e.message = "Secret '" + about.secret + "': " + e.message;
      outcome.error = std::move(e);
    }
    ++shared.delivered;
    shared.hooks.secret(std::move(outcome));
  }
}

// A worker thread must not let an exception escape (std::terminate); it stops the run instead.
void worker(Shared& shared) {
  try {
    if (shared.options.worker_started) shared.options.worker_started();
    fetch_all(shared);
  } catch (const std::exception& ex) {
    Error e;
    e.stage = Stage::vault_get;
    e.message = std::string("Internal error while downloading secrets: ") + ex.what();
    e.hint = "Run the job again; if it happens again, report it with this log at " FKV_ISSUES_URL ".";
    shared.pipeline.stop(std::move(e));
  }
}

Error list_error(const ClientOptions& options, std::string message) {
  Error e;
  e.stage = Stage::vault_list;
  e.subject = options.vault_name;
  e.message = std::move(message);
  e.hint = "This is not expected from Azure Key Vault: check for a proxy or TLS-inspecting device rewriting "
           "responses.";
  return e;
}

struct ListEnd {
  std::optional<Error> error;
  bool stop = false;  // the error ends the whole run (not only the listing)
};

// Lists all secrets, pushing kept names as it goes.
ListEnd list_all(Session& session, Pipeline& pipeline, const ClientOptions& options, const FetchSource& source,
                 ListStats& stats) {
  const Target about{Stage::vault_list, options.vault_name, ""};
  std::string target = list_url(options.vault_url).target;
  std::set<std::string> seen;
  std::set<std::string> visited{target};  // a nextLink back to an earlier page would loop until max_pages
  stats.listed = true;
  while (true) {
    if (pipeline.stopped()) return {};  // a worker stopped the run; its reason is reported
    if (stats.pages >= options.max_pages) {
      return {list_error(options, "Listing secrets of vault '" + options.vault_name + "' did not end after " +
                                      std::to_string(options.max_pages) + " pages."),
              false};
    }
    Reply reply = session.get(target, about);
    if (reply.error) return {std::move(*reply.error), reply.stop};
    if (reply.response->status != 200) return {error_from_response(about, *reply.response), false};
    auto page = parse_list_page(reply.response->body);
    if (!page) {
      Error e = page.error();
      e.subject = options.vault_name;
      return {std::move(e), false};
    }
    ++stats.pages;
    std::vector<SecretRef> kept;
    for (const auto& item : page->items) {
      const std::string name = secret_name_from_id(item.id);
      if (!is_secret_name(name) || !seen.insert(ascii_lower(name)).second) {
        ++stats.invalid_names;
        continue;
      }
      ++stats.found;
      if (item.attributes.enabled == false) {
        stats.disabled.push_back(name);
      } else if (item.attributes.exp && *item.attributes.exp <= options.now) {
        stats.expired.push_back(name);
      } else if (!source.take || source.take(ListedSecret{name, item.content_type, item.tags, item.attributes.exp})) {
        kept.push_back(SecretRef{name, ""});
      }
    }
    pipeline.push(std::move(kept));
    if (!page->next_link) return {};
    auto next = net::parse_https_url(*page->next_link);
    if (!next) {
      return {list_error(options, "Key Vault returned a nextLink that is not an https URL, so listing stopped and "
                                  "the token was not sent."),
              false};
    }
    if (next->host != options.vault_url.host || next->port != options.vault_url.port) {
      return {list_error(options, "Key Vault returned a nextLink for another host (" + next->authority() +
                                      ") than the vault (" + options.vault_url.authority() +
                                      "), so listing stopped and the token was not sent there."),
              false};
    }
    target = with_api_version(next->target, kApiVersion);
    if (!visited.insert(target).second) {
      return {list_error(options, "Key Vault returned a nextLink that leads back to an earlier page, so listing "
                                  "stopped after page " +
                                      std::to_string(stats.pages) + "."),
              false};
    }
  }
}

}  // namespace

net::Url list_url(const net::Url& vault_url) {
  net::Url url = vault_url;
  url.target = "/secrets?api-version=" + std::string(kApiVersion) + "&maxresults=25";
  return url;
}

std::string with_api_version(std::string_view target, std::string_view version) {
  // A target Boost.URL cannot parse as origin-form is kept as Key Vault wrote it (with its own api-version).
  auto kept = net::without_query_parameter(target, "api-version");
  if (!kept) return std::string(target);
  const std::string& rest = *kept;
  const auto query = rest.find('?');
  std::string out = rest.substr(0, query) + "?api-version=" + std::string(version);
  if (query != std::string::npos) out += "&" + rest.substr(query + 1);
  return out;
}

DownloadSummary download_secrets(net::HttpClient& http, const ClientOptions& options, const FetchSource& source,
                                 const std::string& token, const TokenSource& reacquire, const DownloadHooks& hooks) {
  TokenState tokens(token, reacquire);
  ThrottleSettings throttle_settings = options.throttle;
  throttle_settings.max_concurrency = std::max(1u, options.concurrency);
  Throttle throttle(throttle_settings, options.run);
  Session session(http, options, tokens, throttle, hooks);
  Pipeline pipeline;
  DownloadSummary summary;
  Shared shared{session, pipeline, options, hooks};

  std::size_t workers = std::max(1u, options.concurrency);
  if (!source.list) workers = std::min(workers, std::max<std::size_t>(1, source.before.size()));
  std::vector<platform::Thread> threads;
  threads.reserve(workers);
  struct Joiner {
    Pipeline& p;
    std::vector<platform::Thread>& t;
    ~Joiner() {
      p.close();
      for (auto& th : t)
        if (th.joinable()) th.join();
    }
  } joiner{pipeline, threads};
  for (std::size_t i = 0; i < workers; ++i) threads.emplace_back([&shared] { worker(shared); });

  for (const auto& ref : source.before) pipeline.push(ref);
  if (source.list) {
    ListEnd end = list_all(session, pipeline, options, source, summary.list);
    if (end.error && end.stop) {
      pipeline.stop(std::move(*end.error));
    } else if (end.error) {
      summary.list_failure = std::move(end.error);
    } else if (!pipeline.stopped() && hooks.listed) {
      hooks.listed(summary.list);
    }
    if (source.after) {
      for (auto& ref : source.after()) pipeline.push(std::move(ref));
    }
  }
  pipeline.close();
  for (auto& th : threads) th.join();

  pipeline.finish(summary);
  summary.delivered = shared.delivered;
  summary.throttle = throttle.stats();
  return summary;
}

}  // namespace fkv::vault

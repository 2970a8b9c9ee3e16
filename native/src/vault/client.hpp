// Key Vault secrets client over the HTTP seam (api-version 7.5).
//
// Contract:
// - '*': GET <vault>/secrets?api-version=7.5&maxresults=25, then each nextLink (its api-version replaced by 7.5)
//   only while it names the vault's own host and port; any other host stops the listing with an Error and the
//   token is never sent there. Empty pages and "value": null are tolerated. Items whose name (from the id) is not
//   a valid secret name, duplicates, disabled items and expired items (exp <= now) are skipped and counted;
//   a future nbf is not a reason to skip (reported in SecretOutcome::not_before for a warning).
// - Explicit names: no list call; GET <vault>/secrets/<name>[/<version>]?api-version=7.5.
// - What is fetched is a FetchSource (agent/secret_plan.hpp builds one from SecretsFilter; run/download.cpp wires it): names fetched at
//   once, whether the vault is listed, which kept listed names are fetched (take, called on the listing
//   thread as each page arrives), and names fetched once the listing has ended (after; also when it ended
//   early, not when the run was stopped).
// - GETs run on up to `concurrency` worker threads fed by a queue, so they start while later list pages are
//   still being fetched. Every request goes through one throttle controller (vault/throttle.hpp): a 429
//   pauses the whole pool and cuts the concurrency (AIMD), list pages have a lane of their own, and
//   throttled answers are retried there until the run's deadline. `http` should not retry throttled
//   answers itself (net::RetryPolicy::retry_throttled = false).
// - With options.access_wait (AccessWaitSeconds), a list page or GET answered 403 ForbiddenByRbac / AccessDenied
//   is sent again after growing pauses within one run-wide window (vault/access_wait.hpp); hooks.access_waiting
//   is told once. Other requests go on meanwhile.
// - **Streaming, nothing fetched is lost.** Each secret's outcome (value or error) is handed to
//   `hooks.secret` as soon as it is known, from the worker thread that fetched it (the hook must be
//   thread-safe); the client keeps no values. `hooks.listed` is called once when the listing has ended
//   (successfully or not), before the summary is returned.
// - A failed list page after earlier pages is DownloadSummary::list_failure: the secrets of the earlier pages
//   are still fetched and delivered.
// - The bearer token is bound to the vault host (net::Bearer). A 401 with `WWW-Authenticate: Bearer …` is
//   followed once per request, and only when the challenge names the vault's own resource
//   (challenge_scope_allowed); a new token for that scope comes from `reacquire` (at most once per distinct
//   scope per run, serialised; concurrent 401s reuse the refreshed token).
// - Per-secret failures are in SecretOutcome::error and do not stop the others. What stops every remaining
//   request (DownloadSummary::stopped; the selected secrets not fetched by then are listed in not_fetched):
//   a vault host that does not exist, a failed token re-acquisition, the run being cancelled
//   (RunControl::cancelled or a Kind::cancelled transport error), and the run's deadline (a timeout once
//   RunControl::expired; the error names the host and the phase that stalled).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/expected.hpp"
#include "core/run_control.hpp"
#include "net/http.hpp"
#include "vault/access_wait.hpp"
#include "vault/secret_ref.hpp"
#include "vault/throttle.hpp"

namespace fkv::vault {

// Returns a new access token (SECRET) for `scope`, e.g. "https://vault.azure.net/.default".
using TokenSource = std::function<Expected<std::string>(const std::string& scope)>;

struct ClientOptions {
  net::Url vault_url;  // https://<name>.<suffix>/
  std::string vault_name;
  std::string vault_dns_suffix;              // e.g. vault.azure.net
  unsigned concurrency = 32;                 // GET workers; the throttle controller may run fewer at once
  ThrottleSettings throttle;                 // max_concurrency is set to `concurrency`
  AccessWaitSettings access_wait;            // AccessWaitSeconds (vault/access_wait.hpp); wait 0: off
  std::int64_t now = 0;                      // unix seconds, for exp / nbf
  std::chrono::milliseconds timeout{30000};  // per request
  std::size_t max_pages = 10000;             // bound on list pages (25 items each)
  const RunControl* run = nullptr;           // the run's deadline and cancellation; null: unbounded
  // Called first on each GET worker thread (main: platform::lower_current_thread_priority, so that the
  // page chain on the calling thread wins the CPU); may be empty.
  std::function<void()> worker_started;
};

struct SecretOutcome {
  std::size_t index = 0;  // position in the selection ('*': list order), from 0
  SecretRef ref;
  std::optional<std::string> value;        // SECRET; set on success
  std::string content_type;                // the secret's contentType, e.g. "application/x-pkcs12"
  std::optional<Error> error;              // set on failure
  std::optional<std::int64_t> not_before;  // nbf still in the future
  std::optional<std::int64_t> expires;     // exp of the GET answer (unix seconds), past or future
};

struct ListStats {
  bool listed = false;  // '*' mode
  std::size_t pages = 0;
  std::size_t found = 0;              // items with a valid name
  std::vector<std::string> disabled;  // skipped names
  std::vector<std::string> expired;   // skipped names
  std::size_t invalid_names = 0;      // items skipped because their id holds no valid secret name
  std::size_t kept() const { return found - disabled.size() - expired.size(); }
};

struct DownloadSummary {
  ListStats list;
  std::optional<Error> list_failure;   // the listing ended early; earlier pages' secrets were still fetched
  std::optional<Error> stopped;        // why every remaining request was stopped (see above)
  std::vector<SecretRef> not_fetched;  // selected, but not fetched because of `stopped`, in order
  std::size_t delivered = 0;           // outcomes handed to hooks.secret
  ThrottleStats throttle;              // 429s and time paused for them
};

struct DownloadHooks {
  std::function<void(SecretOutcome)> secret;     // thread-safe; once per selected secret that was fetched or failed
  std::function<void(const ListStats&)> listed;  // optional; '*' only, once, when the listing has ended
  // Optional; once per run, from the thread whose request is the first to wait for access (AccessWaitSeconds):
  // the 403's code ("ForbiddenByRbac" or "AccessDenied") and how long the run waits at most.
  std::function<void(std::string_view code, std::chrono::seconds wait)> access_waiting;
};

struct FetchSource {
  bool list = false;
  std::vector<SecretRef> before;                       // fetched at once, in order
  std::function<bool(const ListedSecret& item)> take;  // null: every kept listed name
  std::function<std::vector<SecretRef>()> after;       // null: nothing
};
// The first list URL, for the log line "Downloading secrets using: <url>."
net::Url list_url(const net::Url& vault_url);
// `target` with its api-version query parameter set to `version` (added when missing), the other parameters
// kept as written (net::without_query_parameter); a target that is not a valid origin-form is returned as is.
std::string with_api_version(std::string_view target, std::string_view version);

DownloadSummary download_secrets(net::HttpClient& http, const ClientOptions& options, const FetchSource& source,
                                 const std::string& token, const TokenSource& reacquire, const DownloadHooks& hooks);

}  // namespace fkv::vault

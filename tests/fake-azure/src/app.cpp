#include "app.hpp"

#include "util.hpp"

#include <algorithm>
#include <chrono>

namespace fake {

std::string HttpResponse::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (iequals(k, name)) return v;
  return {};
}

namespace {
std::int64_t system_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

enum class HostKind { DevOps, Login, Vault, Foreign, Other };

// The secrets a request carried, for the token echo ("{{token}}", "{{assertion}}").
struct Echo {
  std::string token, assertion;
  explicit Echo(const HttpRequest& req) {
    const std::string auth = req.header("authorization");
    if (starts_with_icase(auth, "Bearer ")) token = auth.substr(7);
    if (!req.body.empty()) {
      auto form = parse_query(req.body, /*form=*/true);
      if (auto it = form.find("client_assertion"); it != form.end()) assertion = it->second;
    }
  }
  std::string expand(std::string text) const {
    replace_all(text, "{{token}}", token);
    replace_all(text, "{{assertion}}", assertion);
    return text;
  }
  static void replace_all(std::string& text, std::string_view placeholder, const std::string& value) {
    for (auto at = text.find(placeholder); at != std::string::npos; at = text.find(placeholder, at + value.size()))
      text.replace(at, placeholder.size(), value);
  }
};

HttpResponse fault_response(Services& s, const Fault& f, HostKind kind, const Echo& echo) {
  HttpResponse r;
  auto custom = [&](std::string fallback_code, std::string fallback_message) {
    return std::pair{f.error_code ? echo.expand(*f.error_code) : std::move(fallback_code),
                     f.error_message ? echo.expand(*f.error_message) : std::move(fallback_message)};
  };
  if (kind == HostKind::Login) {
    const int code = f.entra_error ? f.entra_error : (f.status == 429 ? 50196 : 90033);
    if (f.error_code || f.error_message) {
      auto [error,
            description] = custom(f.status >= 500 || f.status == 429 ? "temporarily_unavailable" : "invalid_request",
                                  "AADSTS" + std::to_string(code) + ": Injected error.");
      r = entra_error_text(s, f.status, error, code, description);
    } else {
      r = entra_error_by_code(s, code, f.status);
    }
  } else if (kind == HostKind::DevOps) {
    auto [code, message] = custom(f.status == 429 ? "RequestBlockedException" : "VssServiceException",
                                  "Injected fault: HTTP " + std::to_string(f.status) + ".");
    r = devops_error(
        f.status, code,
        "Microsoft.VisualStudio.Services.WebApi.VssServiceException, Microsoft.VisualStudio.Services.WebApi", message);
  } else if (f.error_code || f.error_message) {
    auto [code, message] = custom(f.status == 429   ? "Throttled"
                                  : f.status >= 500 ? "InternalServerError"
                                                    : "Fault",
                                  "Injected fault: HTTP " + std::to_string(f.status) + ".");
    r = keyvault_error(f.status, code, message);
  } else if (f.status == 429) {
    r = keyvault_error(
        429, "Throttled",
        "Request was not processed because too many requests were received. Reason: VaultRequestTypeLimitReached");
  } else if (f.status >= 500) {
    r = keyvault_error(f.status, f.status == 503 ? "ServiceUnavailable" : "InternalServerError",
                       "The service encountered an internal error. Injected fault.");
  } else {
    r = keyvault_error(f.status, "Fault", "Injected fault: HTTP " + std::to_string(f.status) + ".");
  }
  r.status = f.status;
  if (f.retry_after) r.set("Retry-After", *f.retry_after);
  if (f.retry_after_date_in) r.set("Retry-After", http_date(s.now() + *f.retry_after_date_in));
  if (f.retry_after_ms) r.set("retry-after-ms", std::to_string(*f.retry_after_ms));
  return r;
}
// The services' own answer (no fault).
HttpResponse serve(Services& s, HostKind kind, const Vault* vault, const HttpRequest& req) {
  HttpResponse r;
  switch (kind) {
    case HostKind::DevOps: r = handle_devops(s, req); break;
    case HostKind::Login: r = handle_entra(s, req); break;
    case HostKind::Vault: r = handle_keyvault(s, *vault, req); break;
    case HostKind::Foreign: r = handle_foreign(s, req); break;
    case HostKind::Other:
      r.status = 404;
      r.set("Content-Type", "text/plain");
      r.body = "fake-azure does not serve host '" + req.host + "'\n";
      break;
  }
  return r;
}
}  // namespace

App::App(Scenario scenario, std::function<std::int64_t()> now_ms)
    : scenario_(std::move(scenario)),
      key_(std::make_unique<Rs256Key>()),
      services_{scenario_,
                *key_,
                tokens_,
                rates_,
                imds_calls_,
                first_refusals_,
                now_ms ? std::move(now_ms) : std::function<std::int64_t()>(system_now_ms)} {}

std::string App::classify_token(const HttpRequest& req) const {
  if (!req.has_header("authorization")) return "none";
  std::string auth = req.header("authorization");
  if (!starts_with_icase(auth, "Bearer ")) return "unknown";
  std::string token = auth.substr(7);
  if (token == scenario_.job_token) return "job";
  if (tokens_.is_oidc(token)) return "oidc";
  if (auto a = tokens_.find_access(token)) return "access:" + a->short_id;
  return "unknown";
}

HttpResponse App::handle(const HttpRequest& req) {
  HttpResponse r = answer(req);
  // The client's own identification, as the services log it (Key Vault's audit log shows the User-Agent).
  if (req.has_header("user-agent")) r.log.user_agent = req.header("user-agent");
  if (req.has_header("x-ms-client-request-id")) r.log.ms_client_request_id = req.header("x-ms-client-request-id");
  if (req.has_header("client-request-id")) r.log.client_request_id = req.header("client-request-id");
  return r;
}

HttpResponse App::answer(const HttpRequest& req) {
  if (req.plain) {  // the IMDS listener: nothing else is served over plain HTTP, and no faults apply
    HttpResponse r = handle_imds(services_, req);
    r.log.token = classify_token(req);
    r.log.plain = true;
    return r;
  }
  HostKind kind = HostKind::Other;
  const Vault* vault = nullptr;
  if (req.host == "dev.azure.com") kind = HostKind::DevOps;
  else if (req.host == "login.microsoftonline.com") kind = HostKind::Login;
  else if ((vault = scenario_.find_vault_by_host(req.host))) kind = HostKind::Vault;
  else if (scenario_.is_foreign_host(req.host)) kind = HostKind::Foreign;

  const std::string token_class = classify_token(req);
  int delay = scenario_.latency_ms;
  const std::string path = split_target(req.target).path;
  for (std::size_t i = 0; i < scenario_.faults.size(); ++i) {
    const Fault& f = scenario_.faults[i];
    if (f.stall.kind == StallKind::accept) continue;  // a connection-level rule (on_connection)
    if (!glob_match(f.host, req.host) || !glob_match(f.method, req.method) || !glob_match(f.path, path)) continue;
    if (!f.fires_on(fault_counters_.next(i))) continue;
    delay += f.delay_ms;
    if (!f.decides()) continue;
    const Echo echo(req);
    HttpResponse r;
    if (f.reset) r.reset = true;
    else if (f.status) r = fault_response(services_, f, kind, echo);
    else r = serve(services_, kind, vault, req);
    // Extra fields replace the answer's own of the same name; CR/LF/NUL (possible only through an
    // echoed assertion) are dropped so that a value can never split the header.
    for (const auto& [name, value] : f.headers) {
      std::string text = echo.expand(value);
      std::erase_if(text, [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
      std::erase_if(r.headers, [&field = name](const auto& h) { return iequals(h.first, field); });
      r.set(name, std::move(text));
    }
    r.interim = f.interim;
    r.stall = f.stall;
    r.log.stall = std::string(stall_name(f.stall.kind));
    r.delay_ms += delay;
    r.log.token = token_class;
    r.log.fault = "faults[" + std::to_string(i) + "]";
    return r;
  }

  HttpResponse r = serve(services_, kind, vault, req);
  r.delay_ms += delay;
  r.log.token = token_class;
  return r;
}

App::ConnectionPlan App::on_connection(const std::string& sni) {
  for (std::size_t i = 0; i < scenario_.faults.size(); ++i) {
    const Fault& f = scenario_.faults[i];
    if (f.stall.kind != StallKind::accept || !glob_match(f.host, sni)) continue;
    if (!f.fires_on(fault_counters_.next(i))) continue;
    return {true, f.stall.hold_ms, "faults[" + std::to_string(i) + "]"};
  }
  return {};
}

std::string format_log_line(const LogEntry& e) {
  char times[160];
  std::snprintf(times, sizeof times, "\"start_ms\":%.3f,\"end_ms\":%.3f,\"epoch_ms\":%lld", e.start_ms, e.end_ms,
                static_cast<long long>(e.epoch_ms));
  std::string line = "{\"seq\":" + std::to_string(e.seq) + ",\"conn\":" + std::to_string(e.connection) +
                     ",\"method\":\"" + json_escape(e.method) + "\",\"host\":\"" + json_escape(e.host) +
                     "\",\"target\":\"" + json_escape(e.target) + "\",\"token\":\"" + json_escape(e.info.token) +
                     "\",\"status\":" + std::to_string(e.status) + "," + times;
  if (!e.info.assertion.empty()) line += ",\"assertion\":\"" + json_escape(e.info.assertion) + "\"";
  if (!e.info.issued.empty()) line += ",\"issued\":\"" + json_escape(e.info.issued) + "\"";
  if (!e.info.fault.empty()) line += ",\"fault\":\"" + json_escape(e.info.fault) + "\"";
  if (!e.info.stall.empty()) line += ",\"stall\":\"" + json_escape(e.info.stall) + "\"";
  if (e.info.plain) line += ",\"plain\":true";
  if (!e.info.user_agent.empty()) line += ",\"user_agent\":\"" + json_escape(e.info.user_agent) + "\"";
  if (!e.info.ms_client_request_id.empty())
    line += ",\"x-ms-client-request-id\":\"" + json_escape(e.info.ms_client_request_id) + "\"";
  if (!e.info.client_request_id.empty())
    line += ",\"client-request-id\":\"" + json_escape(e.info.client_request_id) + "\"";
  return line + "}";
}

}  // namespace fake

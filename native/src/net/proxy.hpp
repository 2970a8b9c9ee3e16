// Proxy settings: which HTTP CONNECT proxy (if any) a request URL goes through. Pure: the
// environment is injected.
//
// Where the settings come from (the first that is set wins; an empty value counts as unset):
//   1. The agent's proxy (agent --proxyurl, passed to tasks as variables):
//        AGENT_PROXYURL          http://host:port (credentials inside it are accepted too)
//        AGENT_PROXYUSERNAME     user for Basic authentication (wins over a user inside the URL)
//        SECRET_AGENT_PROXYPASSWORD (else AGENT_PROXYPASSWORD)  its password: a secret
//        AGENT_PROXYBYPASSLIST   JSON array of regular expressions; a request whose full URL
//                                ("https://host[:port]/path?query") matches one of them,
//                                case-insensitively and anywhere in the URL (as task-lib's
//                                `new RegExp(entry, 'i').test(url)`), goes direct. An invalid
//                                expression is skipped with a warning, and so is one we do not
//                                run (unusable_bypass_pattern): matching takes time linear in the
//                                URL whatever the entry, so no entry can stall or crash the task.
//   2. Otherwise the machine's https_proxy, else HTTPS_PROXY (lower case wins, as in curl),
//      e.g. http://user:p%40ss@proxy:3128 (user and password percent-decoded; both are secret).
//      HTTP_PROXY / ALL_PROXY are not used: every request of the task is https.
// In both cases no_proxy, else NO_PROXY (lower case wins, as in curl), also applies (as
// azure-devops-node-api does for the agent's proxy): a comma (or white space) separated list of
//   *                     everything goes direct
//   host, .host           the host itself and every subdomain of it (the leading dot is optional)
//   entry:port            the same, only for that port
//   1.2.3.4, [::1]        IP literals: only that exact address (no CIDR ranges)
// matched case-insensitively; a trailing dot on an entry is ignored.
//
// Only http:// proxies (plain TCP to the proxy, then CONNECT) are supported; a URL without a scheme is
// taken as http:// (curl does the same); the port defaults to 80. Anything else is a config Error
// naming the variable and the expected form. No error, warning or description ever contains a
// password or a URL with credentials.
#pragma once

#include <functional>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "core/base64.hpp"
#include "core/expected.hpp"
#include "net/url.hpp"

namespace fkv::net {

struct Proxy {
  std::string host;  // lower-case name or IP literal (IPv6 without brackets)
  unsigned short port = 80;
  std::string username;  // empty: no Proxy-Authorization
  std::string password;  // SECRET
  std::string source;    // the variable the URL came from, e.g. "AGENT_PROXYURL", "https_proxy"
  // Where the credentials are configured, for the 407 message: "AGENT_PROXYUSERNAME and
  // SECRET_AGENT_PROXYPASSWORD" or "the user name and password in https_proxy".
  std::string credentials_source;

  // "http://host:port" (IPv6 in brackets), never with credentials.
  std::string display() const;
  // "host:port", the proxy's part of a pool key.
  std::string authority() const;
  // "Basic <base64(user:password)>", or nullopt without credentials. The only string that may hold
  // the password (it is sent to the proxy, never printed).
  std::optional<std::string> authorization() const;

  bool operator==(const Proxy&) const = default;
};

struct NoProxyEntry {
  std::string host;  // lower-case, no leading/trailing dot, IPv6 without brackets; "*" = everything
  std::optional<unsigned short> port;
  bool ip_literal = false;  // exact match only
};

struct BypassPattern {
  std::string text;  // as written in AGENT_PROXYBYPASSLIST
  std::regex regex;  // ECMAScript, case-insensitive, linear time; "[\s\S]*?(?:<text>)" matched at the start
};

// Why an AGENT_PROXYBYPASSLIST entry is not used (nullopt: it is): longer than 512 characters, groups
// nested more than 16 deep (the regex compiler recurses per level), a counted repetition above 100 or
// counts that multiply it beyond 2000 parts (the compiler copies what a count repeats, and matching costs
// the URL's length times that size), or a backreference (no linear-time matcher has them).
std::optional<std::string> unusable_bypass_pattern(std::string_view pattern);

struct ProxySettings {
  std::optional<Proxy> proxy;          // nullopt: every request goes direct
  std::vector<BypassPattern> bypass;   // AGENT_PROXYBYPASSLIST (only with the agent's proxy)
  std::vector<NoProxyEntry> no_proxy;  // no_proxy / NO_PROXY
  std::string no_proxy_source;         // "no_proxy" or "NO_PROXY" (empty when unset)
  std::vector<std::string> warnings;   // e.g. skipped bypass expressions; safe to print

  // Strings to register with the agent's masker before anything about the proxy is printed: the
  // password (decoded, and as written in the URL when that differs). Empty without a password.
  std::vector<std::string> secrets;
};

using ProxyEnv = std::function<std::optional<std::string>(std::string_view name)>;

Expected<ProxySettings> read_proxy_settings(const ProxyEnv& env);

// The proxy for `url`, or nullopt when it goes direct (no proxy, or bypassed).
std::optional<Proxy> proxy_for(const ProxySettings& settings, const Url& url);

// Why `url` bypasses the proxy ("AGENT_PROXYBYPASSLIST entry '\.vault\.'", "NO_PROXY entry
// '.azure.net'"), or nullopt when it does not (or there is no proxy).
std::optional<std::string> bypass_reason(const ProxySettings& settings, const Url& url);

// One log line saying which proxy is used for which of `urls` and which go direct, e.g.
//   "Using the proxy http://proxy.corp:3128 (AGENT_PROXYURL, with credentials) for dev.azure.com,
//    login.microsoftonline.com; direct to fkv.vault.azure.net (AGENT_PROXYBYPASSLIST entry 'vault')."
// nullopt when no proxy is configured. Never contains credentials.
std::optional<std::string> describe(const ProxySettings& settings, const std::vector<Url>& urls);

// Standard base64 with padding (RFC 4648 §4), for Basic credentials: core/base64.hpp.
using fkv::base64_encode;

}  // namespace fkv::net

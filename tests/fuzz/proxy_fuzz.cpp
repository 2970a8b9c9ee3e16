// Proxy settings (net/proxy.hpp: read_proxy_settings, proxy_for, bypass_reason, describe). The input
// is a set of variables, one "NAME=VALUE" per line (a later line wins), so the fuzzer can combine
// AGENT_PROXYURL, the credentials, AGENT_PROXYBYPASSLIST, https_proxy/HTTPS_PROXY and no_proxy/NO_PROXY.
// Properties:
// - settings that were read route the task's URLs without crashing, and a chosen proxy has a host and
//   a port; with a user name its authorization is "Basic <base64>";
// - no Error, warning or description shows the password (when it is recognisable: it holds a byte our
//   own (ASCII) messages and the host names derived from other variables never contain, and it is not part
//   of another variable's text — as the environment target does for the job token);
// - an Error is a config Error;
// - no AGENT_PROXYBYPASSLIST entry is skipped here: entries are checked (net/proxy.hpp:
//   unusable_bypass_pattern) and matched in linear time, so backtracking patterns, deep nesting and huge
//   counts must neither time out nor crash the target.
#include <cstddef>
#include <cstdint>
#include <algorithm>
#include <map>
#include <optional>
#include <string>

#include "fuzz_support.hpp"
#include "net/proxy.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto variables = fkv::fuzz::variables_from(fkv::fuzz::as_text(data, size));
  const fkv::net::ProxyEnv env = [&](std::string_view name) -> std::optional<std::string> {
    auto it = variables.find(name);
    if (it == variables.end()) return std::nullopt;
    return it->second;
  };
  // The password is recognisable when it is distinctive: not a substring of any other variable's text.
  std::string password;
  for (const char* name : {"SECRET_AGENT_PROXYPASSWORD", "AGENT_PROXYPASSWORD"}) {
    auto it = variables.find(name);
    if (it != variables.end() && !it->second.empty()) {
      password = it->second;
      break;
    }
  }
  bool distinctive = password.size() >= 4 && std::any_of(password.begin(), password.end(),
                                                         [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
  for (const auto& [name, value] : variables) {
    if (name != "SECRET_AGENT_PROXYPASSWORD" && name != "AGENT_PROXYPASSWORD" &&
        (value.find(password) != std::string::npos || name.find(password) != std::string::npos)) {
      distinctive = false;
    }
  }
  const auto visible = [&](const std::string& shown) {
    return distinctive && shown.find(password) != std::string::npos;
  };

  const auto settings = fkv::net::read_proxy_settings(env);
  if (!settings) {
    FKV_FUZZ_CHECK(settings.error().stage == fkv::Stage::config);
    const std::string shown = fkv::fuzz::error_text(settings.error());
    FKV_FUZZ_CHECK(!visible(shown));
    return 0;
  }
  std::vector<fkv::net::Url> urls;
  for (const char* url :
       {"https://dev.azure.com/org/proj/_apis/x?api-version=7.1", "https://login.microsoftonline.com/",
        "https://kv-1.vault.azure.net/secrets?api-version=7.5", "https://[::1]:8443/x"}) {
    if (auto parsed = fkv::net::parse_https_url(url)) urls.push_back(*parsed);
  }
  for (const auto& url : urls) {
    if (auto proxy = fkv::net::proxy_for(*settings, url)) {
      FKV_FUZZ_CHECK(!proxy->host.empty());
      FKV_FUZZ_CHECK(!visible(proxy->display()));
      if (auto authorization = proxy->authorization()) FKV_FUZZ_CHECK(authorization->rfind("Basic ", 0) == 0);
    }
    if (auto reason = fkv::net::bypass_reason(*settings, url)) FKV_FUZZ_CHECK(!visible(*reason));
  }
  if (auto line = fkv::net::describe(*settings, urls)) FKV_FUZZ_CHECK(!visible(*line));
  for (const auto& warning : settings->warnings) FKV_FUZZ_CHECK(!visible(warning));
  return 0;
}

#include <doctest/doctest.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "net/proxy.hpp"

using fkv::net::Proxy;
using fkv::net::ProxySettings;
using fkv::net::parse_https_url;
using fkv::net::proxy_for;
using fkv::net::read_proxy_settings;

namespace {

using Env = std::map<std::string, std::string>;

fkv::net::ProxyEnv env_of(const Env& values) {
  return [values](std::string_view name) -> std::optional<std::string> {
    const auto it = values.find(std::string(name));
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

ProxySettings settings_of(const Env& values) {
  auto settings = read_proxy_settings(env_of(values));
  REQUIRE_MESSAGE(settings, (settings ? "" : settings.error().message));
  return *settings;
}

// "proxy-host:port" when `url` goes through a proxy, "direct" otherwise.
std::string route(const ProxySettings& settings, const std::string& url) {
  const auto parsed = parse_https_url(url);
  REQUIRE_MESSAGE(parsed, url);
  const auto proxy = proxy_for(settings, *parsed);
  return proxy ? proxy->authority() : "direct";
}

}  // namespace

TEST_CASE("proxy settings: nothing set means direct, no description, no secrets") {
  const auto settings = settings_of({});
  CHECK_FALSE(settings.proxy);
  CHECK(route(settings, "https://dev.azure.com/org") == "direct");
  CHECK(fkv::net::describe(settings, {*parse_https_url("https://dev.azure.com/")}) == std::nullopt);
  CHECK(settings.secrets.empty());
  CHECK(settings.warnings.empty());
  // Empty or blank values count as unset.
  CHECK_FALSE(settings_of({{"AGENT_PROXYURL", "  "}, {"https_proxy", ""}}).proxy);
}

TEST_CASE("proxy settings: which variable wins") {
  struct Row {
    Env env;
    const char* proxy;   // authority of the chosen proxy
    const char* source;  // the variable it came from
  };
  const Row rows[] = {
      {{{"AGENT_PROXYURL", "http://agent.proxy:3128"}}, "agent.proxy:3128", "AGENT_PROXYURL"},
      {{{"AGENT_PROXYURL", "http://agent.proxy:3128"},
        {"https_proxy", "http://lower:1"},
        {"HTTPS_PROXY", "http://upper:2"}},
       "agent.proxy:3128",
       "AGENT_PROXYURL"},
      {{{"https_proxy", "http://lower:1"}, {"HTTPS_PROXY", "http://upper:2"}}, "lower:1", "https_proxy"},
      {{{"HTTPS_PROXY", "http://upper:2"}}, "upper:2", "HTTPS_PROXY"},
      {{{"https_proxy", " "}, {"HTTPS_PROXY", "http://upper:2"}}, "upper:2", "HTTPS_PROXY"},
      // HTTP_PROXY and ALL_PROXY are not used: every request is https.
      {{{"HTTP_PROXY", "http://plain:3"}, {"ALL_PROXY", "http://all:4"}, {"HTTPS_PROXY", "http://upper:2"}},
       "upper:2",
       "HTTPS_PROXY"},
  };
  for (const auto& row : rows) {
    CAPTURE(std::string(row.proxy));
    const auto settings = settings_of(row.env);
    REQUIRE(settings.proxy);
    CHECK(settings.proxy->authority() == row.proxy);
    CHECK(settings.proxy->source == row.source);
  }
  CHECK_FALSE(settings_of({{"HTTP_PROXY", "http://plain:3"}}).proxy);
}

TEST_CASE("proxy URLs: the forms accepted") {
  struct Row {
    const char* url;
    const char* host;
    unsigned short port;
    const char* user;
    const char* password;
    const char* display;
  };
  const Row rows[] = {
      {"http://proxy.corp:3128", "proxy.corp", 3128, "", "", "http://proxy.corp:3128"},
      {"http://proxy.corp:3128/", "proxy.corp", 3128, "", "", "http://proxy.corp:3128"},
      {"HTTP://Proxy.CORP:8080", "proxy.corp", 8080, "", "", "http://proxy.corp:8080"},
      {"http://proxy.corp", "proxy.corp", 80, "", "", "http://proxy.corp:80"},
      {"proxy.corp:3128", "proxy.corp", 3128, "", "", "http://proxy.corp:3128"},
      {"http://10.1.2.3:8080", "10.1.2.3", 8080, "", "", "http://10.1.2.3:8080"},
      {"http://[fd00::1]:3128", "fd00::1", 3128, "", "", "http://[fd00::1]:3128"},
      {"http://user:pass@proxy.corp:3128", "proxy.corp", 3128, "user", "pass", "http://proxy.corp:3128"},
      {"http://do%6Dain%5Cuser:p%40ss%3Aw0rd@proxy.corp:3128", "proxy.corp", 3128, "domain\\user", "p@ss:w0rd",
       "http://proxy.corp:3128"},
      {"http://user@proxy.corp:3128", "proxy.corp", 3128, "user", "", "http://proxy.corp:3128"},
      {"  http://proxy.corp:3128  ", "proxy.corp", 3128, "", "", "http://proxy.corp:3128"},
  };
  for (const auto& row : rows) {
    CAPTURE(std::string(row.url));
    const auto settings = settings_of({{"HTTPS_PROXY", row.url}});
    REQUIRE(settings.proxy);
    CHECK(settings.proxy->host == row.host);
    CHECK(settings.proxy->port == row.port);
    CHECK(settings.proxy->username == row.user);
    CHECK(settings.proxy->password == row.password);
    CHECK(settings.proxy->display() == row.display);
  }
}

TEST_CASE("proxy URLs: bad ones are config errors naming the variable and what to write, never the password") {
  struct Row {
    const char* variable;
    const char* url;
    const char* message;
  };
  const Row rows[] = {
      {"AGENT_PROXYURL", "https://proxy.corp:3128",
       "AGENT_PROXYURL is not a valid proxy URL (the scheme must be http://, not https://): 'https://proxy.corp:3128'."},
      {"HTTPS_PROXY", "socks5://proxy.corp:1080",
       "HTTPS_PROXY is not a valid proxy URL (the scheme must be http://, not socks5://): 'socks5://proxy.corp:1080'."},
      {"https_proxy", "http://:3128", "https_proxy is not a valid proxy URL (no host): 'http://:3128'."},
      {"HTTPS_PROXY", "http://", "HTTPS_PROXY is not a valid proxy URL (no host): 'http://'."},
      {"HTTPS_PROXY", "http://proxy.corp:0",
       "HTTPS_PROXY is not a valid proxy URL (the port must be a number from 1 to 65535): 'http://proxy.corp:0'."},
      {"HTTPS_PROXY", "http://proxy.corp:65536",
       "HTTPS_PROXY is not a valid proxy URL (the port must be a number from 1 to 65535): 'http://proxy.corp:65536'."},
      {"HTTPS_PROXY", "http://proxy.corp:",
       "HTTPS_PROXY is not a valid proxy URL (the port must be a number from 1 to 65535): 'http://proxy.corp:'."},
      {"HTTPS_PROXY", "http://proxy.corp:31x8",
       "HTTPS_PROXY is not a valid proxy URL (the port must be a number from 1 to 65535): 'http://proxy.corp:31x8'."},
      {"HTTPS_PROXY", "http://proxy.corp:3128/path",
       "HTTPS_PROXY is not a valid proxy URL (a path, query or fragment is not allowed): 'http://proxy.corp:3128/path'."},
      {"HTTPS_PROXY", "http://proxy.corp:3128?x=1",
       "HTTPS_PROXY is not a valid proxy URL (a path, query or fragment is not allowed): 'http://proxy.corp:3128?x=1'."},
      {"HTTPS_PROXY", "http://pro xy:3128",
       "HTTPS_PROXY is not a valid proxy URL (the host contains characters that are not allowed): 'http://pro xy:3128'."},
      {"HTTPS_PROXY", "http://[fd00::1:3128",
       "HTTPS_PROXY is not a valid proxy URL (unclosed '[' in the host): 'http://[fd00::1:3128'."},
      // Credentials are replaced by *** in the message.
      {"HTTPS_PROXY", "http://user:S3cr3t-Pw@proxy.corp:99999",
       "HTTPS_PROXY is not a valid proxy URL (the port must be a number from 1 to 65535): 'http://***@proxy.corp:99999'."},
      {"HTTPS_PROXY", "http://user:S3cr3t%zz@proxy.corp:3128",
       "HTTPS_PROXY is not a valid proxy URL (bad percent-encoding in the user name or password): "
       "'http://***@proxy.corp:3128'."},
      // An unencoded '/', '?' or '#' in the password (what made the URL invalid) or a scheme with one
      // slash still hides everything before the last '@' (issue 17: these printed the password).
      {"HTTPS_PROXY", "http://user:S3cr3t/Pw@proxy.corp:3128",
       "HTTPS_PROXY is not a valid proxy URL (a path, query or fragment is not allowed): 'http://***@proxy.corp:3128'."},
      {"AGENT_PROXYURL", "http://user:S3cr3t?Pw@proxy.corp:3128",
       "AGENT_PROXYURL is not a valid proxy URL (a path, query or fragment is not allowed): 'http://***@proxy.corp:3128'."},
      {"https_proxy", "http://user:S3cr3t#Pw@proxy.corp:3128",
       "https_proxy is not a valid proxy URL (a path, query or fragment is not allowed): 'http://***@proxy.corp:3128'."},
      {"HTTPS_PROXY", "http:/user:S3cr3t@proxy.corp:3128",
       "HTTPS_PROXY is not a valid proxy URL (a path, query or fragment is not allowed): 'http:/***@proxy.corp:3128'."},
      {"HTTPS_PROXY", "HTTP:user:S3cr3t/x@proxy.corp:3128",
       "HTTPS_PROXY is not a valid proxy URL (a path, query or fragment is not allowed): 'HTTP:***@proxy.corp:3128'."},
      {"HTTPS_PROXY", "https://user:S3cr3t/@proxy.corp:3128",
       "HTTPS_PROXY is not a valid proxy URL (the scheme must be http://, not https://): 'https://***@proxy.corp:3128'."},
      {"HTTPS_PROXY", "socks5://user:S3cr3t@proxy.corp:1080",
       "HTTPS_PROXY is not a valid proxy URL (the scheme must be http://, not socks5://): 'socks5://***@proxy.corp:1080'."},
      {"HTTPS_PROXY", "http://user:S3c@r3t/@proxy.corp:3128",
       "HTTPS_PROXY is not a valid proxy URL (a path, query or fragment is not allowed): 'http://***@proxy.corp:3128'."},
  };
  for (const auto& row : rows) {
    CAPTURE(std::string(row.url));
    const auto settings = read_proxy_settings(env_of({{row.variable, row.url}}));
    REQUIRE_FALSE(settings);
    const auto& error = settings.error();
    CHECK(error.stage == fkv::Stage::config);
    CHECK(error.subject == row.variable);
    CHECK(error.message == row.message);
    for (const char* part : {"S3cr3t", "S3c", "r3t", "Pw"}) {
      CHECK(error.message.find(part) == std::string::npos);
      CHECK(error.hint.find(part) == std::string::npos);
    }
  }
  const auto agent = read_proxy_settings(env_of({{"AGENT_PROXYURL", "ftp://p:21"}}));
  REQUIRE_FALSE(agent);
  CHECK(agent.error().hint ==
        "Set AGENT_PROXYURL (the agent's --proxyurl) to http://host:port, for example http://proxy.example.com:8080, "
        "and the credentials in AGENT_PROXYUSERNAME and SECRET_AGENT_PROXYPASSWORD.");
  const auto machine = read_proxy_settings(env_of({{"https_proxy", "ftp://p:21"}}));
  REQUIRE_FALSE(machine);
  CHECK(machine.error().hint ==
        "Set https_proxy to http://host:port or http://user:password@host:port (percent-encode special characters), "
        "for example http://proxy.example.com:8080.");
}

TEST_CASE("proxy credentials: the agent's variables, the URL's, Basic encoding, secrets to register") {
  {
    const auto settings = settings_of({{"AGENT_PROXYURL", "http://proxy.corp:3128"},
                                       {"AGENT_PROXYUSERNAME", "build-agent"},
                                       {"SECRET_AGENT_PROXYPASSWORD", "pa ss:word"}});
    REQUIRE(settings.proxy);
    CHECK(settings.proxy->username == "build-agent");
    CHECK(settings.proxy->password == "pa ss:word");
    CHECK(settings.proxy->authorization() == "Basic " + fkv::net::base64_encode("build-agent:pa ss:word"));
    CHECK(settings.proxy->credentials_source == "AGENT_PROXYUSERNAME and SECRET_AGENT_PROXYPASSWORD");
    CHECK(settings.secrets == std::vector<std::string>{"pa ss:word"});
  }
  {  // AGENT_PROXYPASSWORD (not secret) is the fallback, as task-lib's getVariable finds either
    const auto settings = settings_of({{"AGENT_PROXYURL", "http://proxy.corp:3128"},
                                       {"AGENT_PROXYUSERNAME", "u"},
                                       {"AGENT_PROXYPASSWORD", "fallback"}});
    CHECK(settings.proxy->password == "fallback");
  }
  {  // a password without a user name sends no credentials
    const auto settings = settings_of({{"AGENT_PROXYURL", "http://proxy.corp:3128"},
                                       {"SECRET_AGENT_PROXYPASSWORD", "orphan"}});
    CHECK(settings.proxy->authorization() == std::nullopt);
    CHECK(settings.proxy->credentials_source == "AGENT_PROXYUSERNAME and SECRET_AGENT_PROXYPASSWORD");
  }
  {  // credentials in the URL, percent-decoded; both spellings are secrets
    const auto settings = settings_of({{"https_proxy", "http://svc:p%40ss@proxy.corp:3128"}});
    CHECK(settings.proxy->authorization() == "Basic c3ZjOnBAc3M=");
    CHECK(settings.proxy->credentials_source == "the user name and password in https_proxy");
    CHECK(settings.secrets == std::vector<std::string>{"p@ss", "p%40ss"});
  }
  {  // the agent's user name wins over one in its URL
    const auto settings = settings_of({{"AGENT_PROXYURL", "http://old:oldpw@proxy.corp:3128"},
                                       {"AGENT_PROXYUSERNAME", "new"},
                                       {"SECRET_AGENT_PROXYPASSWORD", "newpw"}});
    CHECK(settings.proxy->username == "new");
    CHECK(settings.proxy->password == "newpw");
    CHECK(settings.secrets == std::vector<std::string>{"oldpw", "newpw"});
  }
  {  // no credentials: nothing to register
    const auto settings = settings_of({{"https_proxy", "http://proxy.corp:3128"}});
    CHECK(settings.proxy->authorization() == std::nullopt);
    CHECK(settings.secrets.empty());
  }
  const auto colon = read_proxy_settings(env_of({{"AGENT_PROXYURL", "http://p:1"}, {"AGENT_PROXYUSERNAME", "a:b"}}));
  REQUIRE_FALSE(colon);
  CHECK(colon.error().subject == "AGENT_PROXYUSERNAME");
  CHECK(colon.error().message == "AGENT_PROXYUSERNAME contains ':', which Basic proxy authentication cannot carry.");
}

TEST_CASE("base64: RFC 4648 test vectors") {
  const std::pair<const char*, const char*> rows[] = {{"", ""},
                                                      {"f", "Zg=="},
                                                      {"fo", "Zm8="},
                                                      {"foo", "Zm9v"},
                                                      {"foob", "Zm9vYg=="},
                                                      {"fooba", "Zm9vYmE="},
                                                      {"foobar", "Zm9vYmFy"},
                                                      {"Aladdin:open sesame", "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="}};
  for (const auto& [in, out] : rows) CHECK(fkv::net::base64_encode(in) == out);
}

TEST_CASE("AGENT_PROXYBYPASSLIST: regexes matched case-insensitively anywhere in the full URL") {
  const auto settings = settings_of(
      {{"AGENT_PROXYURL", "http://proxy.corp:3128"},
       {"AGENT_PROXYBYPASSLIST",
        R"(["\\.vault\\.azure\\.net", "^https://DEV\\.azure\\.com/", "", "secrets\\?api", "[", "(unclosed", 7, ":8443/"])"}});
  struct Row {
    const char* url;
    const char* route;
  };
  const Row rows[] = {
      {"https://fkv.vault.azure.net/secrets/x", "direct"},
      {"https://FKV.Vault.Azure.NET/", "direct"},           // hosts are lower-cased, the regex is case-insensitive
      {"https://dev.azure.com/org/_apis", "direct"},        // anchored at the start of the URL
      {"https://notdev.azure.com/org", "proxy.corp:3128"},  // ^ anchors: no match
      {"https://login.microsoftonline.com/t/oauth2/v2.0/token", "proxy.corp:3128"},
      {"https://other.example/secrets?api-version=7.5", "direct"},  // the path and query are part of the URL
      {"https://other.example:8443/x", "direct"},                   // and so is a port other than 443
      {"https://other.example/x", "proxy.corp:3128"},               // the empty entry matches nothing
  };
  for (const auto& row : rows) {
    CAPTURE(std::string(row.url));
    CHECK(route(settings, row.url) == row.route);
  }
  CHECK(settings.warnings ==
        std::vector<std::string>{
            "AGENT_PROXYBYPASSLIST entry '[' is not a valid regular expression and is ignored.",
            "AGENT_PROXYBYPASSLIST entry '(unclosed' is not a valid regular expression and is ignored.",
            "AGENT_PROXYBYPASSLIST holds an entry that is not a string; it is ignored."});
  CHECK(fkv::net::bypass_reason(settings, *parse_https_url("https://a.vault.azure.net/")) ==
        R"(AGENT_PROXYBYPASSLIST entry '\.vault\.azure\.net')");

  // Only with the agent's proxy: the machine's HTTPS_PROXY does not read it.
  const auto machine = settings_of({{"HTTPS_PROXY", "http://m:1"}, {"AGENT_PROXYBYPASSLIST", R"(["vault"])"}});
  CHECK(route(machine, "https://fkv.vault.azure.net/") == "m:1");

  for (const char* bad : {"not json", R"({"a":1})", "[\"unterminated"}) {
    CAPTURE(std::string(bad));
    const auto error = read_proxy_settings(env_of({{"AGENT_PROXYURL", "http://p:1"}, {"AGENT_PROXYBYPASSLIST", bad}}));
    REQUIRE_FALSE(error);
    CHECK(error.error().subject == "AGENT_PROXYBYPASSLIST");
    CHECK(error.error().message == "AGENT_PROXYBYPASSLIST is not a JSON array of strings.");
  }
}

TEST_CASE("NO_PROXY: every rule") {
  struct Row {
    const char* no_proxy;
    const char* url;
    const char* route;
  };
  const Row rows[] = {
      {"*", "https://dev.azure.com/", "direct"},
      {" * ", "https://anything.example:8443/", "direct"},
      {"vault.azure.net", "https://vault.azure.net/", "direct"},       // the host itself
      {"vault.azure.net", "https://fkv.vault.azure.net/", "direct"},   // a subdomain
      {"vault.azure.net", "https://a.b.vault.azure.net/", "direct"},   // a deeper subdomain
      {"vault.azure.net", "https://evilvault.azure.net/", "proxy:1"},  // not at a dot boundary
      {".vault.azure.net", "https://fkv.vault.azure.net/", "direct"},  // a leading dot: the same
      {".vault.azure.net", "https://vault.azure.net/", "direct"},
      {"vault.azure.net.", "https://fkv.vault.azure.net/", "direct"},  // a trailing dot is ignored
      {"VAULT.Azure.NET", "https://fkv.vault.azure.net/", "direct"},   // case-insensitive
      {"azure.net:443", "https://fkv.vault.azure.net/", "direct"},     // with the port
      {"azure.net:8443", "https://fkv.vault.azure.net/", "proxy:1"},   // another port
      {"azure.net:8443", "https://fkv.vault.azure.net:8443/", "direct"},
      {"localhost,dev.azure.com", "https://dev.azure.com/org", "direct"},  // comma list
      {"localhost, dev.azure.com ,x", "https://dev.azure.com/org", "direct"},
      {"localhost dev.azure.com", "https://dev.azure.com/org", "direct"},  // white space separates too
      {"localhost,,", "https://dev.azure.com/org", "proxy:1"},
      {"10.0.0.5", "https://10.0.0.5/", "direct"},  // IP literal: exact
      {"0.0.5", "https://10.0.0.5/", "proxy:1"},    // no suffix match on IPs
      {"10.0.0.5", "https://110.0.0.5/", "proxy:1"},
      {"10.0.0.5:443", "https://10.0.0.5/", "direct"},
      {"[fd00::1]:443,fd00::2", "https://dev.azure.com/", "proxy:1"},  // IPv6 entries parse; no match here
      {"dev.azure.com:x", "https://dev.azure.com/", "proxy:1"},        // a bad port: the entry is ignored
      {"", "https://dev.azure.com/", "proxy:1"},
      {"azure.com", "https://login.microsoftonline.com/", "proxy:1"},
  };
  for (const auto& row : rows) {
    CAPTURE(std::string(row.no_proxy));
    CAPTURE(std::string(row.url));
    const auto settings = settings_of({{"HTTPS_PROXY", "http://proxy:1"}, {"NO_PROXY", row.no_proxy}});
    CHECK(route(settings, row.url) == row.route);
  }
  CHECK(settings_of({{"HTTPS_PROXY", "http://proxy:1"}, {"NO_PROXY", "dev.azure.com:x"}}).warnings ==
        std::vector<std::string>{"NO_PROXY entry 'dev.azure.com:x' has an invalid port and is ignored."});
}

TEST_CASE("NO_PROXY: lower case wins; it applies to the agent's proxy too; no proxy without a proxy URL") {
  const auto both = settings_of({{"HTTPS_PROXY", "http://proxy:1"}, {"no_proxy", "dev.azure.com"}, {"NO_PROXY", "*"}});
  CHECK(route(both, "https://dev.azure.com/") == "direct");
  CHECK(route(both, "https://login.microsoftonline.com/") == "proxy:1");
  CHECK(both.no_proxy_source == "no_proxy");

  const auto agent = settings_of({{"AGENT_PROXYURL", "http://agent:2"},
                                  {"AGENT_PROXYBYPASSLIST", R"(["login\\."])"},
                                  {"NO_PROXY", ".vault.azure.net"}});
  CHECK(route(agent, "https://fkv.vault.azure.net/") == "direct");
  CHECK(route(agent, "https://login.microsoftonline.com/") == "direct");
  CHECK(route(agent, "https://dev.azure.com/") == "agent:2");
  CHECK(fkv::net::bypass_reason(agent, *parse_https_url("https://fkv.vault.azure.net/")) ==
        "NO_PROXY entry 'vault.azure.net'");

  CHECK(route(settings_of({{"NO_PROXY", "localhost"}}), "https://dev.azure.com/") == "direct");
}

TEST_CASE("describe: which proxy for which hosts, what goes direct, never credentials") {
  const std::vector<fkv::net::Url> urls = {*parse_https_url("https://dev.azure.com/org/_apis/x?api-version=7.1"),
                                           *parse_https_url("https://login.microsoftonline.com/"),
                                           *parse_https_url("https://fkv.vault.azure.net/"),
                                           *parse_https_url("https://dev.azure.com/other")};
  const auto agent = settings_of({{"AGENT_PROXYURL", "http://proxy.corp:3128"},
                                  {"AGENT_PROXYUSERNAME", "svc"},
                                  {"SECRET_AGENT_PROXYPASSWORD", "Pw-123456"},
                                  {"AGENT_PROXYBYPASSLIST", R"(["\\.vault\\.azure\\.net"])"}});
  CHECK(
      fkv::net::describe(agent, urls) ==
      "Using the proxy http://proxy.corp:3128 (AGENT_PROXYURL, with credentials) for dev.azure.com, "
      "login.microsoftonline.com; direct to fkv.vault.azure.net (AGENT_PROXYBYPASSLIST entry '\\.vault\\.azure\\.net').");

  const auto machine = settings_of({{"https_proxy", "http://svc:Pw-123456@proxy.corp:3128"}});
  const auto line = fkv::net::describe(machine, urls);
  CHECK(line == "Using the proxy http://proxy.corp:3128 (https_proxy, with credentials) for dev.azure.com, "
                "login.microsoftonline.com, fkv.vault.azure.net.");

  const auto all_direct = settings_of({{"HTTPS_PROXY", "http://proxy.corp:3128"}, {"NO_PROXY", "*"}});
  CHECK(fkv::net::describe(all_direct, {urls[0]}) ==
        "Using the proxy http://proxy.corp:3128 (HTTPS_PROXY) for none of the task's hosts; direct to dev.azure.com "
        "(NO_PROXY entry '*').");
}

TEST_CASE("AGENT_PROXYBYPASSLIST: no entry can stall or crash the task") {
  const std::string deep = std::string(60000, '(') + "a" + std::string(60000, ')');
  const std::string nested17 = std::string(17, '(') + "a" + std::string(17, ')');
  const std::string nested16 = std::string(16, '(') + "vault" + std::string(16, ')');
  const std::string list = std::string("[\"(.|.)*Q\", \"(a*)*b\", \"(x+x+)+y\", \"") + deep + "\", \"" + nested17 +
                           "\", \"" + nested16 +
                           "\", \"(a)\\\\1\", \"a{1000}\", \"a{99999999999}\", \"\\u001b[\\u202e\"]";
  const auto started = std::chrono::steady_clock::now();
  const auto settings = settings_of({{"AGENT_PROXYURL", "http://proxy.corp:3128"}, {"AGENT_PROXYBYPASSLIST", list}});
  // Backtracking patterns run in linear time: a long URL neither matches nor stalls.
  const std::string long_url = "https://other.example/" + std::string(3000, 'a') + "?" + std::string(3000, 'x');
  CHECK(route(settings, long_url) == "proxy.corp:3128");
  CHECK(route(settings, "https://fkv.vault.azure.net/") == "direct");  // the 16-deep entry is used
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(2));
  CHECK(settings.warnings ==
        std::vector<std::string>{
            "AGENT_PROXYBYPASSLIST entry '" + std::string(80, '(') +
                "...' is ignored: it is longer than 512 characters. Write it as a simpler expression, e.g. "
                "\\.internal\\.example\\.com$.",
            "AGENT_PROXYBYPASSLIST entry '" + nested17 +
                "' is ignored: its groups are nested more than 16 deep. Write it as a simpler expression, e.g. "
                "\\.internal\\.example\\.com$.",
            "AGENT_PROXYBYPASSLIST entry '(a)\\1' is ignored: it uses a backreference (\\1). Write it as a simpler "
            "expression, e.g. \\.internal\\.example\\.com$.",
            "AGENT_PROXYBYPASSLIST entry 'a{1000}' is ignored: it counts a repetition above 100. Write it as a "
            "simpler expression, e.g. \\.internal\\.example\\.com$.",
            "AGENT_PROXYBYPASSLIST entry 'a{99999999999}' is ignored: it counts a repetition above 100. Write it as "
            "a simpler expression, e.g. \\.internal\\.example\\.com$.",
            "AGENT_PROXYBYPASSLIST entry '\x1b[\xe2\x80\xae' is not a valid regular expression and is ignored."});
  CHECK(fkv::net::unusable_bypass_pattern("\\.vault\\.azure\\.net$") == std::nullopt);
  CHECK(fkv::net::unusable_bypass_pattern("[(((((((((((((((((((]x{2,5}") == std::nullopt);  // in a class: literal
  // Counts multiply through groups: the automaton the compiler builds stays small.
  CHECK(fkv::net::unusable_bypass_pattern("^https://10\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}") == std::nullopt);
  CHECK(fkv::net::unusable_bypass_pattern("(ab{100}){10}") == std::nullopt);              // ~1000 parts
  CHECK(fkv::net::unusable_bypass_pattern("a{100}b{100}c{100}|d{100}") == std::nullopt);  // 400
  CHECK(fkv::net::unusable_bypass_pattern("((a{100}){100}){100}") ==
        "its counted repetitions make it too large (more than 2000 parts)");
  CHECK(fkv::net::unusable_bypass_pattern("(x(ab{100}){10}){2}") ==
        "its counted repetitions make it too large (more than 2000 parts)");
  CHECK(fkv::net::unusable_bypass_pattern("(a{100}){21}") ==
        "its counted repetitions make it too large (more than 2000 parts)");
}

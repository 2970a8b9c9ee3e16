#include <doctest/doctest.h>

#include "net/transport_error.hpp"

using fkv::net::TransportError;
using Kind = fkv::net::TransportError::Kind;

TEST_CASE("transport_error: message names the action, the kind and the detail; hint by kind") {
  const auto url = *fkv::net::parse_https_url("https://dev.azure.com:8443/org/_apis/x?serviceConnectionId=1");
  struct Row {
    Kind kind;
    const char* message;
    const char* hint;
  };
  const Row rows[] = {
      {Kind::resolve_not_found, "The OIDC request failed (host not found): d.",
       "The host name dev.azure.com does not exist in DNS: check the name, and on a private network make sure the "
       "agent's DNS resolves it."},
      {Kind::resolve_failed, "The OIDC request failed (name resolution failed): d.",
       "The agent's DNS did not resolve dev.azure.com: check the agent's network and DNS settings."},
      {Kind::connect, "The OIDC request failed (connection failed): d.",
       "Check that the agent can reach dev.azure.com on port 8443 (firewall, network security group, proxy)."},
      {Kind::tls, "The OIDC request failed (TLS failure): d.",
       "If the agent's traffic goes through a TLS-inspecting proxy, configure the agent with that proxy's CA "
       "certificate (--sslcacert, passed to tasks as AGENT_CAINFO)."},
      {Kind::timeout, "The OIDC request failed (timed out): d.",
       "Check the agent's network connection to dev.azure.com; the request was retried before giving up."},
      {Kind::reset, "The OIDC request failed (connection reset): d.",
       "Check the agent's network connection to dev.azure.com; the request was retried before giving up."},
      {Kind::protocol, "The OIDC request failed (protocol error): d.",
       "The answer from dev.azure.com was not valid HTTP/1.1 or was too large; if a proxy is in the way, check it."},
      {Kind::refused, "The OIDC request failed (request refused by the client): d.",
       "The request was not sent because it would have exposed a token to another host; check the configured URLs."},
  };
  for (const auto& row : rows) {
    CAPTURE(row.message);
    const auto error = fkv::net::transport_error(fkv::Stage::oidc, "The OIDC request", url,
                                                 TransportError{row.kind, "d"});
    CHECK(error.stage == fkv::Stage::oidc);
    CHECK(error.http_status == 0);
    CHECK(error.message == row.message);
    CHECK(error.hint == row.hint);
  }
  CHECK(fkv::net::transport_error(fkv::Stage::entra, "X", url, TransportError{Kind::reset, ""}).message ==
        "X failed (connection reset).");
}

TEST_CASE("transport_error: a failed proxy CONNECT is labelled by its phase and gets the proxy hint") {
  const auto url = *fkv::net::parse_https_url("https://dev.azure.com/org/_apis/x");
  for (Kind kind : {Kind::refused, Kind::connect, Kind::timeout}) {
    const auto error = fkv::net::transport_error(
        fkv::Stage::oidc, "The OIDC request", url,
        TransportError{kind, "proxy http://p:3128 refused CONNECT to dev.azure.com:443 with HTTP 403",
                       TransportError::Phase::proxy});
    CHECK(
        error.message ==
        "The OIDC request failed (proxy CONNECT): proxy http://p:3128 refused CONNECT to dev.azure.com:443 with HTTP 403.");
    CHECK(error.hint ==
          "Check the agent's proxy settings (AGENT_PROXYURL or HTTPS_PROXY, and AGENT_PROXYBYPASSLIST / NO_PROXY) and "
          "that the proxy allows CONNECT to dev.azure.com on port 443.");
  }
  // Other phases keep the kind's label and hint.
  const auto tls = fkv::net::transport_error(fkv::Stage::oidc, "X", url,
                                             TransportError{Kind::tls, "d", TransportError::Phase::tls});
  CHECK(tls.message == "X failed (TLS failure): d.");
}

TEST_CASE("to_string(Phase): every phase has a name") {
  using Phase = TransportError::Phase;
  CHECK(std::string(fkv::net::to_string(Phase::headers)) == "response headers");
  CHECK(std::string(fkv::net::to_string(Phase::proxy)) == "proxy CONNECT");
  CHECK(std::string(fkv::net::to_string(Phase::pool)) == "waiting for a free connection or a throttling pause");
  CHECK(std::string(fkv::net::to_string(Kind::cancelled)) == "cancelled");
}

#include "net/transport_error.hpp"

#include <string>

namespace fkv::net {

std::string transport_hint(TransportError::Kind kind, const Url& url) {
  switch (kind) {
    case TransportError::Kind::resolve_not_found:
      return "The host name " + url.host +
             " does not exist in DNS: check the name, and on a private network "
             "make sure the agent's DNS resolves it.";
    case TransportError::Kind::resolve_failed:
      return "The agent's DNS did not resolve " + url.host + ": check the agent's network and DNS settings.";
    case TransportError::Kind::connect:
      return "Check that the agent can reach " + url.host + " on port " + std::to_string(url.port) +
             " (firewall, network security group, proxy).";
    case TransportError::Kind::tls:
      return "If the agent's traffic goes through a TLS-inspecting proxy, configure the agent with that "
             "proxy's CA certificate (--sslcacert, passed to tasks as AGENT_CAINFO).";
    case TransportError::Kind::timeout:
    case TransportError::Kind::reset:
      return "Check the agent's network connection to " + url.host + "; the request was retried before giving up.";
    case TransportError::Kind::protocol:
      return "The answer from " + url.host +
             " was not valid HTTP/1.1 or was too large; if a proxy is in the way, "
             "check it.";
    case TransportError::Kind::refused:
      return "The request was not sent because it would have exposed a token to another host; check the "
             "configured URLs.";
    case TransportError::Kind::cancelled:
      return "The run was cancelled or reached its time limit (TimeoutSeconds) before this request finished.";
  }
  return {};
}

std::string proxy_hint(const Url& url) {
  return "Check the agent's proxy settings (AGENT_PROXYURL or HTTPS_PROXY, and AGENT_PROXYBYPASSLIST / NO_PROXY) "
         "and that the proxy allows CONNECT to " +
         url.host + " on port " + std::to_string(url.port) + ".";
}

Error transport_error(Stage stage, std::string_view action, const Url& url, const TransportError& error) {
  Error out;
  out.stage = stage;
  // A failure of the proxy's CONNECT is labelled by that phase: the kind ("request refused by the
  // client" for a 407) would mislead there.
  const bool proxy = error.phase == TransportError::Phase::proxy;
  out.message = std::string(action) + " failed (" + (proxy ? to_string(error.phase) : to_string(error.kind)) + ")";
  if (!error.detail.empty()) out.message += ": " + error.detail;
  out.message += ".";
  out.hint = proxy ? proxy_hint(url) : transport_hint(error.kind, url);
  return out;
}

}  // namespace fkv::net

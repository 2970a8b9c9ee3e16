#include "vault/messages.hpp"

#include <doctest/doctest.h>

#include "agent/outcome.hpp"
#include "kv_examples.hpp"

using namespace fkv::vault;
using fkv::net::Response;

namespace {
const Target kGet{fkv::Stage::vault_get, "myvault", "mysecret"};
const Target kList{fkv::Stage::vault_list, "myvault", ""};

Response forbidden(const std::string& inner, const std::string& message = "m") {
  return Response{403,
                  {{"x-ms-request-id", "req-1"}, {"x-ms-keyvault-network-info", "conn_type=Ipv4;addr=1.2.3.4;"}},
                  R"({"error":{"code":"Forbidden","message":")" + message + R"(","innererror":{"code":")" + inner +
                      R"("}}})"};
}
}  // namespace

TEST_CASE("403 ForbiddenByRbac from the example") {
  auto e = error_from_response(kGet, fkv::test::kv_example("error-403-forbidden-by-rbac.json"));
  CHECK(e.stage == fkv::Stage::vault_get);
  CHECK(e.http_status == 403);
  CHECK(e.service_code == "ForbiddenByRbac");
  CHECK(e.subject == "mysecret");
  CHECK(e.message ==
        "Access to secret 'mysecret' in vault 'myvault' was denied by Azure RBAC. Key Vault says: \"Caller is not "
        "authorized to perform action on resource.\"");
  CHECK(e.hint ==
        "Assign the \"Key Vault Secrets User\" role on the vault to the service connection's app (role assignments "
        "can take a few minutes to apply).");
}

TEST_CASE("403 by inner code") {
  auto denied = error_from_response(kGet, forbidden("AccessDenied"));
  CHECK(denied.message ==
        "Access to secret 'mysecret' in vault 'myvault' was denied by the vault's access policies. Key Vault says: "
        "\"m\"");
  CHECK(denied.hint ==
        "Add an access policy for the service connection's app with the Get and List permissions on secrets.");
  CHECK(denied.correlation == decltype(denied.correlation){{"x-ms-request-id", "req-1"}});

  auto firewall = error_from_response(kList, forbidden("ForbiddenByFirewall", "Client address is not authorized"));
  CHECK(firewall.message ==
        "Vault 'myvault' refused the request from this agent's network address. Key Vault says: \"Client address is "
        "not authorized\"");
  CHECK(firewall.hint ==
        "Allow the agent in the vault's network rules (Networking > Firewalls and virtual networks), or run the job "
        "on an agent that reaches the vault through its private endpoint.");
  CHECK(firewall.correlation.size() == 2);
  CHECK(firewall.correlation[1].second == "conn_type=Ipv4;addr=1.2.3.4;");

  auto disabled = error_from_response(kGet, forbidden("SecretDisabled",
                                                      "Operation get is not allowed on a disabled secret."));
  CHECK(disabled.message == "Secret 'mysecret' is disabled in vault 'myvault'. Key Vault says: \"Operation get is not "
                            "allowed on a disabled secret.\"");
  CHECK(disabled.hint == "Enable the secret in the vault, or remove it from SecretsFilter.");

  auto other = error_from_response(kList, Response{403, {}, "{}"});
  CHECK(other.message == "Access to the list of secrets in vault 'myvault' was denied.");
  CHECK(other.hint == "Give the service connection's app the Get and List permissions on secrets: the \"Key Vault "
                      "Secrets User\" role on RBAC vaults, or an access policy.");
  CHECK(other.service_code.empty());
}

TEST_CASE("404, 400, 401, 429, 5xx") {
  auto nf = error_from_response(kGet, fkv::test::kv_example("error-404-secret-not-found.json"));
  CHECK(nf.service_code == "SecretNotFound");
  CHECK(
      nf.message.rfind("Secret 'mysecret' was not found in vault 'myvault'. Key Vault says: \"A secret with (name/id) "
                       "secret1680785531243 was not found in this key vault.",
                       0) == 0);
  CHECK(nf.hint == "Check the name and version in SecretsFilter: a recently deleted secret must be recovered first.");

  auto bad = error_from_response(kGet, Response{400, {}, R"({"error":{"code":"BadParameter","message":"bad"}})"});
  CHECK(bad.message == "Key Vault rejected the request for secret 'mysecret' in vault 'myvault' as invalid. Key Vault "
                       "says: \"bad\"");
  CHECK(bad.service_code == "BadParameter");

  auto unauth = error_from_response(kGet, fkv::test::kv_example("error-401-challenge.json"));
  CHECK(unauth.message == "Key Vault did not accept the access token for secret 'mysecret' in vault 'myvault'. Key "
                          "Vault says: \"Request is missing a Bearer or PoP token.\"");
  CHECK(unauth.correlation ==
        decltype(unauth.correlation){{"x-ms-request-id", "6568ab38-bf5d-487c-a832-3b375b1e4f59"}});

  auto throttled = error_from_response(kGet, fkv::test::kv_example("error-429-throttled.json"));
  CHECK(throttled.message ==
        "Key Vault kept throttling the requests for secret 'mysecret' in vault 'myvault' (HTTP 429), also after "
        "retries. Key Vault says: \"Request was not processed because too many requests were received. Reason: "
        "VaultRequestTypeLimitReached\"");
  CHECK(fkv::agent::describe(throttled) ==
        throttled.message + " " + throttled.hint +
            " (vault-get, HTTP 429, Throttled, x-ms-request-id: 0e57042c-b600-47ba-bfac-27238ec41a3a)");

  auto server = error_from_response(kList, Response{503, {}, "<html>busy</html>"});
  CHECK(server.message == "Key Vault answered HTTP 503 for the list of secrets in vault 'myvault'.");
}

TEST_CASE("transport errors: unknown vault host, others") {
  using Kind = fkv::net::TransportError::Kind;
  auto nf = error_from_transport(kGet, {Kind::resolve_not_found, "NXDOMAIN"}, "myvault.vault.azure.net");
  CHECK(nf.message == "Key vault 'myvault' not found: the host name myvault.vault.azure.net does not exist.");
  CHECK(nf.hint ==
        "Check KeyVaultName, and that the service connection's cloud (AzureKeyVaultDnsSuffix) is the vault's.");
  auto reset = error_from_transport(kList, {Kind::reset, "peer closed"}, "myvault.vault.azure.net");
  CHECK(reset.message ==
        "Could not reach vault 'myvault' (myvault.vault.azure.net) for the list of secrets: connection "
        "reset (peer closed).");
  CHECK(reset.hint ==
        "Check the agent's network access to myvault.vault.azure.net on port 443 (DNS, proxy, firewall).");
  // A refused proxy CONNECT is labelled by its phase, with the proxy hint.
  auto proxy = error_from_transport(kList,
                                    {Kind::refused,
                                     "proxy http://p:3128 refused CONNECT to myvault.vault.azure.net:443 with HTTP 403",
                                     fkv::net::TransportError::Phase::proxy},
                                    "myvault.vault.azure.net");
  CHECK(proxy.message == "Could not reach vault 'myvault' (myvault.vault.azure.net) for the list of secrets: proxy "
                         "CONNECT (proxy http://p:3128 refused CONNECT to myvault.vault.azure.net:443 with HTTP 403).");
  CHECK(proxy.hint == "Check the agent's proxy settings (AGENT_PROXYURL or HTTPS_PROXY, and AGENT_PROXYBYPASSLIST / "
                      "NO_PROXY) and that the proxy allows CONNECT to myvault.vault.azure.net on port 443.");
}

TEST_CASE("Key Vault text is cut to its first line and 300 characters") {
  auto e = error_from_response(
      kGet, Response{500, {}, R"({"error":{"code":"X","message":")" + std::string(400, 'a') + R"("}})"});
  CHECK(e.message.size() == std::string("Key Vault answered HTTP 500 for secret 'mysecret' in vault 'myvault'. Key "
                                        "Vault says: \"\"")
                                    .size() +
                                300);
}

// Found by tests/fuzz/kv_error_fuzz.cpp: Key Vault's error code went into Error::service_code as sent,
// control characters and all; it is service text like the message, so it is sanitised the same way.
TEST_CASE("Key Vault's error code is sanitised like its message") {
  const Response r{404, {}, R"({"error":{"code":"Secret\nNot\u0007Found\r\n##vso[task.debug]x","message":"m"}})"};
  const auto e = error_from_response(kGet, r);
  CHECK(e.service_code == "Secret");
  const auto inner = error_from_response(kGet, forbidden(std::string(150, 'C') + "\\tX"));
  CHECK(inner.service_code == std::string(100, 'C') + "...");
  CHECK(error_from_response(kGet, forbidden("ForbiddenByRbac")).service_code == "ForbiddenByRbac");
}

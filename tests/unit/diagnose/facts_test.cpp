#include "diagnose/facts.hpp"

#include <doctest/doctest.h>

#include <map>
#include <string>

using namespace fkv;

namespace {
// The system's trust store as the trust finding names it on this platform (diagnose/facts.cpp).
#ifdef _WIN32
const std::string kSystemTrust = "Certificates are verified against the Windows ROOT certificate store";
#else
const std::string kSystemTrust = "Certificates are verified against the system's CA certificates";
#endif
}  // namespace

TEST_CASE("facts: agent and platform from the environment, kept to plain words, then trust and proxy") {
  agent::TaskConfig cfg;
  cfg.agent = {"4.266.2", "Linux", "X64;\r\n##vso[x]"};
  cfg.network.trust.agent_cainfo = "/etc/agent/ca.pem";
  const auto found = diagnose::facts(cfg, {});
  REQUIRE(found.size() == 3);
  CHECK(found[0].check == "Agent and platform");
  CHECK(found[0].text.find(") on agent 4.266.2 (Linux X64vsox), run as a step.") != std::string::npos);
  CHECK(found[1].text == kSystemTrust + ", plus the agent's CA file (AGENT_CAINFO) /etc/agent/ca.pem.");
  CHECK(found[2].text == "No proxy is configured: every request goes direct.");
  for (const auto& f : found) CHECK(f.status == agent::FindingStatus::ok);

  cfg.agent = {};
  cfg.network.trust = {};
  cfg.network.trust.skip_cert_validation = true;
  const auto bare = diagnose::facts(cfg, {});
  CHECK(bare[0].text.find("on agent unknown (unknown unknown)") != std::string::npos);
  CHECK(bare[1].text.rfind(kSystemTrust + ". The agent is configured to skip TLS certificate validation "
                                          "(AGENT_SKIPCERTVALIDATION), but ",
                           0) == 0);
}

// The facts diagnose mode reports first (always ok): the agent and platform, the trust settings and the
// proxy settings in effect. Pure: everything comes from the configuration (agent/environment.hpp read it).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/run_summary.hpp"
#include "agent/task_config.hpp"
#include "net/proxy.hpp"
#include "net/trust_store.hpp"

namespace fkv::diagnose {

// "Agent and platform" (AGENT_VERSION, AGENT_OS, AGENT_OSARCHITECTURE, kept to [0-9A-Za-z._-], at most 40
// characters each, "unknown" when unset), "Trust" and "Proxy".
std::vector<agent::SummaryFinding> facts(const agent::TaskConfig& cfg, const std::vector<net::Url>& destinations);

}  // namespace fkv::diagnose

// The configuration reader's parts (agent/environment.hpp is its interface). Internal to agent/: each
// part reads one topic of the agent's environment into TaskConfig and returns the first problem as a
// config Error. read_task_config calls them in this order, which is the order problems are reported in:
//   inputs      INPUT_* (the task's inputs), AGENT_TEMPDIRECTORY for file targets, SYSTEM_DEBUG
//   connection  ENDPOINT_* (scheme, ids, cloud, the scheme's own secret), the connection's settings page
//   federation  the job token and the OIDC request URL (workload identity federation only)
//   agent       AGENT_VERSION/OS/OSARCHITECTURE, trust (SSL_CERT_*, AGENT_CAINFO, AGENT_SKIPCERTVALIDATION)
//               and proxy (AGENT_PROXY*, https_proxy, no_proxy) settings; never an Error of its own
#pragma once

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "agent/environment.hpp"
#include "core/error.hpp"
#include "core/text.hpp"

namespace fkv::agent::config {

// Environment access with trimming and "empty = absent".
class Env {
 public:
  explicit Env(const EnvLookup& lookup) : lookup_(lookup) {}

  std::optional<std::string> get(std::string_view name) const {
    auto value = lookup_(name);
    if (!value) return std::nullopt;
    std::string t(trim(*value));
    if (t.empty()) return std::nullopt;
    return t;
  }

  // As the environment holds it (untrimmed, empty kept): for settings whose own rules decide.
  std::optional<std::string> raw(std::string_view name) const { return lookup_(name); }

  // ENDPOINT_<kind>_<id><suffix>, trying the id in lower case, as given, and upper case.
  std::optional<std::string> endpoint(std::string_view kind, std::string_view id, std::string_view suffix) const {
    const std::array<std::string, 3> spellings{ascii_lower(id), std::string(id), ascii_upper(id)};
    for (std::size_t i = 0; i < spellings.size(); ++i) {
      if (std::find(spellings.begin(), spellings.begin() + static_cast<long>(i), spellings[i]) !=
          spellings.begin() + static_cast<long>(i)) {
        continue;
      }
      if (auto v = get("ENDPOINT_" + std::string(kind) + "_" + spellings[i] + std::string(suffix))) return v;
    }
    return std::nullopt;
  }

 private:
  const EnvLookup& lookup_;
};

std::string with_trailing_slash(std::string s);

// Each returns the first problem of its topic; nullopt when there is none.
std::optional<Error> read_inputs(const Env& env, TaskConfig& config, std::string& raw_id);
TempDirectory temp_directory(const Env& env);  // agent/environment.hpp: read_temp_directory
std::optional<Error> read_connection(const Env& env, const std::string& raw_id, TaskConfig& config);
std::optional<Error> read_federation(const Env& env, TaskConfig& config);
void read_agent(const Env& env, TaskConfig& config);

}  // namespace fkv::agent::config

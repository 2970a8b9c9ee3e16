// What a download run tells its two consumers: the log writer (run/log_writer.hpp: ##vso lines on
// stdout) and the run record (run/run_record.hpp: the summary file). Each event is produced once, by the
// download (run/download.cpp), and handed to both; nothing reads the task's own output back.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "secrets/become.hpp"
#include "vault/client.hpp"

namespace fkv::run {

// One secret's outcome, after the run carried out its steps: what it became (variables, files and masks
// as secrets::Step, a written file's path filled in), or why it was not set.
struct SecretDone {
  vault::SecretRef ref;
  secrets::Becomes result;  // steps carried out (up to a failed write); failure; missing; set
  bool not_yet_valid = false;
  std::optional<std::int64_t> expires;  // the secret's exp (unix seconds), for the summary's Expires column
};

// A listed secret that SecretsFilter does not select.
struct NotSelected {
  std::string name;
};

// The listing ended (successfully or not): its counts and skipped names.
using Listed = vault::ListStats;

// The run's first access-denied 403 (vault/access_wait.hpp): the requests wait up to `wait` (AccessWaitSeconds)
// for a recent role assignment or access policy to apply. Once per run.
struct AccessWaiting {
  std::string vault_name;
  std::string code;  // "ForbiddenByRbac" or "AccessDenied" (vault::access_denial: never the server's free text)
  std::chrono::seconds wait{0};
};

// The downloads ended: how many secrets were set, in how long, and what the throttle did.
struct Downloaded {
  std::size_t secrets_set = 0;
  std::chrono::duration<double> elapsed{};
  vault::ThrottleStats throttle;
};

}  // namespace fkv::run

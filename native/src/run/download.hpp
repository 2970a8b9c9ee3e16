// Mode: download (the default). Acquires the Key Vault token with the connection's credential, fetches the
// selected secrets and turns each into what it becomes (secrets/become.hpp) the moment its value arrives:
// the file is written, then the event goes to the log writer and the run record. Returns what the
// conclusion (agent/outcome.hpp) needs.
//
// Streaming: each secret's commands are written as soon as its value is in, so a killed step keeps what
// was written and memory does not grow with the vault. Locks: `emit` serialises a secret's steps and its
// lines (so the multi-line switch precedes the secret that needs it); the plan has a lock of its own,
// taken after `emit`, because the listing thread asks it about every listed name and must never wait
// behind workers writing their lines (that wait was ~0.5 ms per page at 32 workers, on the critical path).
#pragma once

#include <functional>
#include <string_view>

#include "agent/outcome.hpp"
#include "agent/secret_plan.hpp"
#include "agent/task_config.hpp"
#include "auth/federated_credential.hpp"
#include "core/run_control.hpp"
#include "run/connection.hpp"
#include "run/log_writer.hpp"
#include "run/run_record.hpp"

namespace fkv::run {

// Writes `bytes` to `relative_path` under Agent.TempDirectory and returns the file's absolute path
// (platform/secret_file.hpp in a run). Errors carry no value.
using FileWriter = std::function<Expected<std::string>(const std::string& relative_path, std::string_view bytes)>;

// One fetched secret -> what it became, with the steps that touch the world carried out: the file is
// written (FileWriter) and its path filled into the path variable; a write that fails drops what would have
// followed it and makes the secret a failure. Not thread-safe (the download serialises calls).
class SecretHandler {
 public:
  using Destinations = std::function<agent::Destination(const vault::SecretRef&)>;
  SecretHandler(secrets::Rules rules, Destinations destination, FileWriter write_file)
      : rules_(std::move(rules)), destination_(std::move(destination)), write_file_(std::move(write_file)) {}

  SecretDone handle(const vault::SecretOutcome& outcome) const;

 private:
  secrets::Rules rules_;
  Destinations destination_;
  FileWriter write_file_;
};

struct DownloadContext {
  const agent::TaskConfig& cfg;
  RunControl& run;
  Connection& connection;
  LogWriter& log;
  RunRecord& record;
  const auth::SecretSink& register_secret;
};

agent::RunResult download(const DownloadContext& context);

}  // namespace fkv::run

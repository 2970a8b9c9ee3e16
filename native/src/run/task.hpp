// One run of the task, from the agent's environment to its conclusion: reads the configuration
// (agent/environment.hpp), opens the connection (run/connection.hpp), runs download (run/download.hpp) or
// diagnose mode (diagnose/checks.hpp), and writes the conclusion: the error issues, the run summary's
// upload and `##vso[task.complete]` as the last line. Returns the process's exit code: 0 success, 1 failure.
//
// The whole run is bounded by TimeoutSeconds (RunControl); SIGTERM/SIGINT stop it cleanly: requests in
// flight are aborted, no line is ever cut, the conclusion names what was not set, and the exit code is 1.
// Errors are printed only by this room (as values they carry stage, HTTP status, service code and hint).
#pragma once

#include <string>

#include "agent/environment.hpp"
#include "agent/outcome.hpp"
#include "core/error.hpp"
#include "run/log_writer.hpp"
#include "run/run_record.hpp"

namespace fkv::run {

class Task {
 public:
  explicit Task(agent::EnvLookup env) : env_(std::move(env)) {}

  int execute();
  // An exception escaped execute(): the run ends as an internal error, with its summary.
  int internal_error(const std::string& what);

 private:
  int fail(Error error);
  int finish(const agent::RunResult& result);
  int conclude(agent::TaskResult result, const std::string& message, std::vector<std::string> lines, int exit_code);

  agent::EnvLookup env_;
  LogWriter log_;
  RunRecord record_;
  std::string vault_;
  bool debug_ = false;  // System.Debug: the env: block is printed too
};

}  // namespace fkv::run

// The run record behind the run summary (agent/run_summary.hpp renders it): filled from the run's events
// as the run goes, written once at its end, whatever the end. Thread-safe.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>

#include "agent/environment.hpp"
#include "agent/request_meter.hpp"
#include "agent/run_summary.hpp"
#include "run/events.hpp"

namespace fkv::run {

class RunRecord {
 public:
  template <typename F>
  void update(F&& change) {
    std::lock_guard lock(mutex_);
    change(record_);
  }
  void set_directory(agent::TempDirectory dir) { directory_ = std::move(dir); }
  void set_meter(const agent::MeterStats* meter) { meter_ = meter; }

  // The events (run/events.hpp).
  void secret(const SecretDone& done);
  void listed(const Listed& list);
  void not_selected(const NotSelected& skip);

  // Renders the record through the gate (agent::render_summary with the held secrets), writes it under
  // Agent.TempDirectory (owner-only, no link followed) and returns the uploadsummary line, or a warning when
  // it cannot be written (a temp directory that is not an absolute path included: the rule of secret files,
  // agent::read_temp_directory); nothing without a temp directory.
  std::optional<std::string> write();

 private:
  std::mutex mutex_;
  agent::RunRecord record_;
  agent::TempDirectory directory_{"", "not set."};
  const agent::MeterStats* meter_ = nullptr;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

}  // namespace fkv::run

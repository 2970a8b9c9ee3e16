#include "agent/run_summary.hpp"

#include "agent/variable_names.hpp"
#include "core/text.hpp"

#include <algorithm>

#include <cstdio>
#include <optional>

namespace fkv::agent {

void add_variable(RunRecord& record, SummaryVariable variable) {
  auto [row, added] = record.variable_rows.try_emplace(variable.name, record.variables.size());
  if (added) {
    record.variables.push_back(std::move(variable));
  } else {
    record.variables[row->second].output = record.variables[row->second].output || variable.output;
  }
}

std::string markdown_text(std::string_view text) {
  static constexpr std::string_view kSpecial = "\\`*_{}[]()<>#+!|~&";
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      out += ' ';
    } else {
      if (kSpecial.find(c) != std::string_view::npos) out += '\\';
      out += c;
    }
  }
  return out;
}

namespace {

std::string seconds_text(double seconds) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f s", seconds);
  return buffer;
}

const char* result_word(TaskResult result) {
  switch (result) {
    case TaskResult::Succeeded: return "succeeded";
    case TaskResult::SucceededWithIssues: return "succeeded with issues";
    case TaskResult::Failed: return "failed";
  }
  return "failed";
}

const char* status_word(FindingStatus status) {
  switch (status) {
    case FindingStatus::ok: return "ok";
    case FindingStatus::failed: return "**failed**";
    case FindingStatus::skipped: return "not checked";
  }
  return "";
}

// A table: header cells, rows of already-escaped cells, at most kMaxRows rows then "and N more".
void table(std::string& out, const std::vector<std::string>& header,
           const std::vector<std::vector<std::string>>& rows) {
  out += "|";
  for (const auto& h : header) out += " " + h + " |";
  out += "\n|";
  for (std::size_t i = 0; i < header.size(); ++i) out += " --- |";
  out += "\n";
  for (std::size_t r = 0; r < rows.size() && r < kMaxRows; ++r) {
    out += "|";
    for (const auto& cell : rows[r]) out += " " + (cell.empty() ? std::string("-") : cell) + " |";
    out += "\n";
  }
  if (rows.size() > kMaxRows) out += "\nand " + std::to_string(rows.size() - kMaxRows) + " more\n";
  out += "\n";
}

void section(std::string& out, const std::string& title, std::size_t count) {
  out += "#### " + title + " (" + std::to_string(count) + ")\n\n";
}

std::string code(std::string_view text) { return text.empty() ? std::string() : markdown_text(text); }

}  // namespace

std::string render_summary(const RunRecord& r) {
  std::string out;
  out += "### Key vault " + (r.vault.empty() ? std::string("(unknown)") : markdown_text(r.vault)) + ": " +
         (r.diagnose ? "diagnose " : "") + result_word(r.result) + "\n\n";
  if (!r.conclusion.empty()) out += "**Result:** " + markdown_text(r.conclusion) + "\n\n";

  std::vector<std::vector<std::string>> facts;
  auto fact = [&](const char* name, const std::string& value) {
    if (!value.empty()) facts.push_back({name, code(value)});
  };
  fact("Mode", r.diagnose ? "diagnose" : "download");
  fact("Vault", r.vault_url.empty() ? r.vault : r.vault + " (" + r.vault_url + ")");
  fact("Service connection", r.connection_id);
  fact("Scheme", r.scheme);
  fact("Tenant ID", r.tenant_id);
  fact("Client ID", r.client_id);
  fact("OIDC token issuer", r.token_issuer);
  fact("OIDC token subject", r.token_subject);
  fact("User-Agent", r.user_agent);
  if (!facts.empty()) table(out, {"Item", "Value"}, facts);

  if (!r.findings.empty()) {
    section(out, "Findings", r.findings.size());
    std::vector<std::vector<std::string>> rows;
    for (const auto& f : r.findings)
      rows.push_back({markdown_text(f.check), status_word(f.status), markdown_text(f.text)});
    table(out, {"Check", "Result", "Details"}, rows);
  }
  if (!r.variables.empty()) {
    section(out, "Variables set", r.variables.size());
    std::vector<std::vector<std::string>> rows;
    for (const auto& v : r.variables) {
      std::string marks;
      auto mark = [&](bool on, const char* word) {
        if (on) marks += (marks.empty() ? "" : ", ") + std::string(word);
      };
      mark(v.secret, "secret");
      mark(v.output, "output");
      mark(v.file, "file");
      rows.push_back({markdown_text(v.name), marks, markdown_text(v.expires)});
    }
    table(out, {"Variable", "Marks", "Expires"}, rows);
  }
  if (!r.not_yet_valid.empty()) {
    section(out, "Set although not yet valid", r.not_yet_valid.size());
    std::vector<std::vector<std::string>> rows;
    for (const auto& name : r.not_yet_valid) rows.push_back({markdown_text(name)});
    table(out, {"Secret"}, rows);
  }
  if (!r.skipped.empty()) {
    section(out, "Skipped", r.skipped.size());
    std::vector<std::vector<std::string>> rows;
    for (const auto& s : r.skipped) rows.push_back({markdown_text(s.name), markdown_text(s.reason)});
    table(out, {"Secret", "Reason"}, rows);
  }
  if (!r.failures.empty()) {
    section(out, "Failures", r.failures.size());
    std::vector<std::vector<std::string>> rows;
    for (const auto& f : r.failures)
      rows.push_back({markdown_text(f.what), markdown_text(f.cause), markdown_text(f.fix)});
    table(out, {"What", "Cause", "Fix"}, rows);
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& p : r.phases) {
    if (p.requests == 0) continue;
    rows.push_back({markdown_text(p.name), seconds_text(p.seconds), std::to_string(p.requests),
                    std::to_string(p.retries), std::to_string(p.throttled)});
  }
  rows.push_back({"Whole run", seconds_text(r.total_seconds), "", "", ""});
  out += "#### Timings\n\n";
  table(out, {"Phase", "Time", "Requests", "Retries", "HTTP 429"}, rows);
  if (const std::string env = env_block(r.variables); !env.empty()) {
    out += "#### Environment for scripts\n\nSecret variables are not in a script's environment; paste this into the "
           "step that needs them:\n\n```yaml\n" +
           env + "```\n";
  }
  while (out.size() > 1 && out[out.size() - 1] == '\n' && out[out.size() - 2] == '\n') out.pop_back();
  return out;
}

std::string env_block(const std::vector<SummaryVariable>& variables) {
  // Sorted by the environment name: the variables arrive in download order, which varies from run to run.
  std::vector<std::pair<std::string, std::string>> entries;  // environment name, variable
  for (const auto& v : variables) {
    if (!v.secret || !is_variable_name(v.name)) continue;  // validated names only: nothing to escape
    entries.emplace_back(environment_name(v.name), v.name);
  }
  std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string lines;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (i > 0 && entries[i].first == entries[i - 1].first) continue;  // the first variable of a name wins
    lines += "  " + entries[i].first + ": $(" + entries[i].second + ")\n";
  }
  return lines.empty() ? std::string() : "env:\n" + lines;
}

std::vector<SummaryFailure> summary_failures(const RunResult& result) {
  std::vector<SummaryFailure> out;
  auto add = [&](const std::string& what, const Error& e) { out.push_back({what, e.message, e.hint}); };
  if (result.fatal)
    add(result.fatal->subject.empty() ? to_string(result.fatal->stage) : result.fatal->subject, *result.fatal);
  for (const auto& conflict : result.conflicts) {
    std::string names;
    for (const auto& s : conflict.secrets) names += (names.empty() ? "" : ", ") + s;
    add(names, conflict.error);
  }
  for (const auto& e : result.secret_failures) add(e.subject, e);
  if (result.list_failure) add("listing", *result.list_failure);
  if (result.stopped) add("run stopped", *result.stopped);
  if (!result.not_fetched.empty()) {
    std::string names;
    for (const auto& s : result.not_fetched) names += (names.empty() ? "" : ", ") + s;
    out.push_back({names, "Not fetched because the run stopped.", result.stopped ? result.stopped->hint : ""});
  }
  return out;
}

}  // namespace fkv::agent

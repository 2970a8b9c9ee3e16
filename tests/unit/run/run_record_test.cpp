// The run record's file (run/run_record.hpp): where it goes (the temp-directory rule of secret files) and
// that it passes the gate with the process's held secrets.
#include "run/run_record.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "core/random.hpp"
#include "core/redaction.hpp"

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

TEST_CASE("RunRecord::write: no temp directory, nothing; one that is not absolute, a warning and no file") {
  fkv::run::RunRecord unset;
  CHECK_FALSE(unset.write());
  fkv::run::RunRecord relative;
  relative.set_directory({"", "not an absolute path."});
  CHECK(relative.write() ==
        "##vso[task.logissue type=warning]The run summary was not written: Agent.TempDirectory (AGENT_TEMPDIRECTORY) "
        "is not an absolute path.");
}

TEST_CASE("RunRecord::write: the file passes the gate (held values, control characters)") {
  const auto made = std::filesystem::temp_directory_path() / ("fkv-run-record-" + fkv::random_hex(8));
  REQUIRE(std::filesystem::create_directory(made));
  const std::string dir = made.string();
  fkv::hold_secret("value-of-s00-7f3a9c");
  fkv::run::RunRecord record;
  record.set_directory({dir, ""});
  record.update([](fkv::agent::RunRecord& r) {
    r.vault = "fkv";
    r.failures = {{"s01", "Forbidden: s00 is value-of-s00-7f3a9c \x1b[2J", "Fix it."}};
  });
  const auto line = record.write();
  REQUIRE(line);
  const std::string prefix = "##vso[task.uploadsummary]";
  REQUIRE(line->rfind(prefix, 0) == 0);
  const std::string text = read_file(line->substr(prefix.size()));
  CHECK(text.find("| s01 | Forbidden: s00 is \\*\\*\\*  \\[2J | Fix it. |") != std::string::npos);
  CHECK(text.find("value-of-s00") == std::string::npos);
  CHECK(text.find('\x1b') == std::string::npos);
  fkv::forget_held_secrets();
  std::filesystem::remove_all(dir);
}

#include "vault/variable_policy.hpp"

#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cctype>

#include "agent/commands.hpp"
#include "agent/variable_names.hpp"
#include "core/text.hpp"

namespace fkv::vault {
namespace {

bool blank(std::string_view s) {
  for (char c : s) {
    if (!std::isspace(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// Forwards SAX events to a Writer, writing numbers with their original text.
struct CompactingHandler {
  rapidjson::Writer<rapidjson::StringBuffer>& w;
  bool Null() { return w.Null(); }
  bool Bool(bool b) { return w.Bool(b); }
  bool Int(int i) { return w.Int(i); }
  bool Uint(unsigned u) { return w.Uint(u); }
  bool Int64(int64_t i) { return w.Int64(i); }
  bool Uint64(uint64_t u) { return w.Uint64(u); }
  bool Double(double d) { return w.Double(d); }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool) { return w.RawValue(s, n, rapidjson::kNumberType); }
  bool String(const char* s, rapidjson::SizeType n, bool c) { return w.String(s, n, c); }
  bool StartObject() { return w.StartObject(); }
  bool Key(const char* s, rapidjson::SizeType n, bool c) { return w.Key(s, n, c); }
  bool EndObject(rapidjson::SizeType n) { return w.EndObject(n); }
  bool StartArray() { return w.StartArray(); }
  bool EndArray(rapidjson::SizeType n) { return w.EndArray(n); }
};

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == '\r' || text[i] == '\n') {
      out.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

}  // namespace

bool is_read_only_variable(std::string_view name) { return agent::is_read_only_variable(name); }

std::optional<std::string> compact_json(std::string_view text) {
  std::size_t first = 0;
  while (first < text.size() && std::isspace(static_cast<unsigned char>(text[first]))) ++first;
  if (first == text.size() || (text[first] != '{' && text[first] != '[')) return std::nullopt;
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  CompactingHandler handler{writer};
  rapidjson::Reader reader;
  rapidjson::MemoryStream stream(text.data(), text.size());
  constexpr unsigned flags =
      rapidjson::kParseNumbersAsStringsFlag | rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag;
  if (reader.Parse<flags>(stream, handler).IsError()) return std::nullopt;
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::vector<std::string> mask_lines(std::string_view value) {
  std::vector<std::string> lines;
  if (value.empty()) return lines;
  if (value.find_first_of("\r\n") != std::string_view::npos) {
    for (std::string_view line : split_lines(value)) {
      if (!blank(line)) lines.push_back(agent::set_secret(line));
    }
  }
  lines.push_back(agent::set_secret(value));
  return lines;
}

VariablePlan plan_variables(const std::vector<DownloadedSecret>& secrets) {
  VariablePlan plan;
  VariableEmitter emitter;
  for (const auto& secret : secrets) {
    VariablePlan one = emitter.emit(secret);
    for (auto& line : one.lines) plan.lines.push_back(std::move(line));
    for (auto& failure : one.failures) plan.failures.push_back(std::move(failure));
    plan.secrets_set += one.secrets_set;
    plan.variables_set += one.variables_set;
  }
  return plan;
}

VariablePlan VariableEmitter::emit(const DownloadedSecret& secret) {
  VariablePlan plan;
  bool& multiline_allowed = multiline_allowed_;
  {
    std::vector<std::string> names = secret.variables;
    if (names.empty()) {
      names.push_back(secret.ref.name);
      if (!secret.ref.version.empty()) names.push_back(secret.ref.text());
    }

    const std::string* read_only = nullptr;
    for (const auto& n : names) {
      if (!read_only && is_read_only_variable(n)) read_only = &n;
    }
    if (read_only) {
      Error e;
      e.stage = Stage::emit;
      e.subject = secret.ref.text();
      e.message = "Secret '" + secret.ref.text() + "' was not set: '" + *read_only +
                  "' is a read-only pipeline variable name.";
      e.hint = "Rename the secret in the vault, or remove it from SecretsFilter.";
      plan.failures.push_back(std::move(e));
      return plan;
    }

    std::string value = secret.value;
    if (value.empty()) {
      plan.lines.push_back(agent::log_issue(
          agent::IssueType::warning,
          "Secret '" + secret.ref.text() + "' has an empty value, so its variable is set to an empty string."));
    } else if (value.find_first_of("\r\n") != std::string::npos) {
      if (auto compact = compact_json(value)) {
        value = std::move(*compact);
        plan.lines.push_back(
            agent::info("Value of secret " + secret.ref.text() + " has been converted to single line."));
        plan.lines.push_back(agent::set_secret(value));
      } else {
        if (!multiline_allowed) {
          plan.lines.push_back(agent::set_variable(kMultilineSecretSwitch, "true", false));
          multiline_allowed = true;
        }
        for (std::string_view line : split_lines(value)) {
          if (!blank(line)) plan.lines.push_back(agent::set_secret(line));
        }
        plan.lines.push_back(agent::set_secret(value));
      }
    } else {
      plan.lines.push_back(agent::set_secret(value));
    }
    for (const auto& n : names) {
      plan.lines.push_back(agent::set_variable(n, value, true));
      if (secret.output) plan.lines.push_back(agent::set_output_variable(n, value, true));
      ++plan.variables_set;
    }
    ++plan.secrets_set;
  }
  return plan;
}

}  // namespace fkv::vault

#include "secrets/become.hpp"

#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cctype>

#include "agent/variable_names.hpp"
#include "core/base64.hpp"
#include "core/text.hpp"
#include "core/utc_time.hpp"

namespace fkv::secrets {
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

Step note(Step::Kind kind, std::string text) {
  Step s;
  s.kind = kind;
  s.text = std::move(text);
  return s;
}

Step variable(std::string name, std::string value, bool secret, bool output, bool path = false) {
  Step s;
  s.kind = Step::Kind::set_variable;
  s.name = std::move(name);
  s.text = std::move(value);
  s.secret = secret;
  s.output = output;
  s.path = path;
  return s;
}

Error emit_error(const vault::SecretRef& ref, std::string message, std::string hint) {
  Error e;
  e.stage = Stage::emit;
  e.subject = ref.text();
  e.message = std::move(message);
  e.hint = std::move(hint);
  return e;
}

void add_masks(std::vector<Step>& steps, std::string_view value) {
  for (auto& m : mask_values(value)) steps.push_back(note(Step::Kind::mask, std::move(m)));
}

// The file target: masks, the bytes to write, the path variable. False when the secret failed.
bool file_steps(const vault::SecretOutcome& fetched, const std::string& value, const agent::Destination& destination,
                const Rules& rules, Becomes& out) {
  const std::string ref = fetched.ref.text();
  if (is_read_only_variable(destination.path_variable)) {
    out.failure = emit_error(fetched.ref,
                             "Secret '" + ref + "' was not written: '" + destination.path_variable +
                                 "' (its path variable) is a read-only pipeline variable name.",
                             "Set VariablePrefix, or remove the secret from SecretsFilter.");
    return false;
  }
  add_masks(out.steps, value);
  Step write = note(Step::Kind::write_file, destination.file);
  if (iequals(trim(fetched.content_type), "application/x-pkcs12")) {
    auto decoded = base64_decode(value);
    if (!decoded) {
      out.failure = emit_error(fetched.ref,
                               "Secret '" + ref +
                                   "' has the contentType application/x-pkcs12 but its value is not "
                                   "base64, so '" +
                                   destination.file + "' was not written.",
                               "Store the PFX as base64 (as Key Vault does for certificates), or clear the secret's "
                               "contentType.");
      return false;
    }
    write.bytes = std::move(*decoded);
  } else {
    write.bytes = value;
  }
  out.steps.push_back(std::move(write));
  out.steps.push_back(variable(destination.path_variable, "", false, false, true));
  if (rules.output_variables) out.steps.push_back(variable(destination.path_variable, "", false, true, true));
  return true;
}

// The secret variables. False when the secret failed.
bool variable_steps(const vault::SecretOutcome& fetched, std::string value, const agent::Destination& destination,
                    const Rules& rules, Becomes& out) {
  std::vector<std::string> names = destination.variables;
  if (names.empty()) {
    names.push_back(fetched.ref.name);
    if (!fetched.ref.version.empty()) names.push_back(fetched.ref.text());
  }
  for (const auto& n : names) {
    if (!is_read_only_variable(n)) continue;
    out.failure = emit_error(fetched.ref,
                             "Secret '" + fetched.ref.text() + "' was not set: '" + n +
                                 "' is a read-only pipeline variable name.",
                             "Rename the secret in the vault, or remove it from SecretsFilter.");
    return false;
  }
  if (value.empty()) {
    out.steps.push_back(note(Step::Kind::warning, "Secret '" + fetched.ref.text() +
                                                      "' has an empty value, so its variable is set to an empty "
                                                      "string."));
  } else if (value.find_first_of("\r\n") != std::string::npos) {
    if (auto compact = compact_json(value)) {
      value = std::move(*compact);
      out.steps.push_back(note(Step::Kind::info,
                               "Value of secret " + fetched.ref.text() + " has been converted to single line."));
      out.steps.push_back(note(Step::Kind::mask, value));
    } else {
      out.steps.push_back(note(Step::Kind::allow_multiline, ""));
      add_masks(out.steps, value);
    }
  } else {
    out.steps.push_back(note(Step::Kind::mask, value));
  }
  for (const auto& n : names) {
    out.steps.push_back(variable(n, value, true, false));
    if (rules.output_variables) out.steps.push_back(variable(n, value, true, true));
  }
  return true;
}

}  // namespace

bool is_read_only_variable(std::string_view name) { return agent::is_read_only_variable(name); }

std::optional<std::string> expiry_warning(std::string_view secret, std::optional<std::int64_t> exp, std::int64_t now,
                                          unsigned days) {
  constexpr std::int64_t kDay = 86400;
  if (days == 0 || !exp) return std::nullopt;
  const std::string date = utc_time(*exp).substr(0, 10);
  const std::string name = "Secret '" + std::string(secret) + "'";
  auto count = [](std::int64_t n) { return std::to_string(n) + (n == 1 ? " day" : " days"); };
  if (*exp <= now) {
    const std::int64_t ago = (now - *exp) / kDay;
    return name + " expired on " + date + " (" + (ago == 0 ? std::string("today") : count(ago) + " ago") +
           "); it is set anyway, as Key Vault still serves it.";
  }
  if (*exp - now > static_cast<std::int64_t>(days) * kDay) return std::nullopt;
  const std::int64_t left = (*exp - now) / kDay;
  return name + " expires on " + date + " (" + (left == 0 ? std::string("today") : "in " + count(left)) + ").";
}

std::optional<std::string> compact_json(std::string_view text) {
  std::size_t first = 0;
  while (first < text.size() && std::isspace(static_cast<unsigned char>(text[first]))) ++first;
  if (first == text.size() || (text[first] != '{' && text[first] != '[')) return std::nullopt;
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  CompactingHandler handler{writer};
  rapidjson::Reader reader;
  rapidjson::MemoryStream stream(text.data(), text.size());
  constexpr unsigned flags = rapidjson::kParseNumbersAsStringsFlag | rapidjson::kParseValidateEncodingFlag |
                             rapidjson::kParseIterativeFlag;
  if (reader.Parse<flags>(stream, handler).IsError()) return std::nullopt;
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::vector<std::string> mask_values(std::string_view value) {
  std::vector<std::string> out;
  if (value.empty()) return out;
  if (value.find_first_of("\r\n") != std::string_view::npos) {
    for (std::string_view line : split_lines(value)) {
      if (!blank(line)) out.emplace_back(line);
    }
  }
  out.emplace_back(value);
  return out;
}

Becomes become(const vault::SecretOutcome& fetched, const agent::Destination& destination, const Rules& rules) {
  Becomes out;
  if (fetched.error) {
    const Error& e = *fetched.error;
    if (rules.missing_warn && destination.named && e.http_status == 404 &&
        (e.service_code.empty() || iequals(e.service_code, "SecretNotFound"))) {
      out.steps.push_back(note(Step::Kind::warning, "Secret '" + fetched.ref.text() + "' was not found in vault '" +
                                                        rules.vault_name +
                                                        "': it is skipped because MissingSecrets is 'warn'."));
      out.missing = true;
      return out;
    }
    out.failure = e;
    return out;
  }
  if (fetched.not_before) {
    out.steps.push_back(note(Step::Kind::warning, "Secret '" + fetched.ref.text() + "' is not valid before " +
                                                      utc_time(*fetched.not_before) + " (nbf), it is set anyway."));
  }
  const std::size_t warning_at = out.steps.size();
  const auto expiry = expiry_warning(fetched.ref.text(), fetched.expires, rules.now, rules.expiry_warning_days);
  auto with_expiry = [&](Becomes& done) {
    if (done.set && expiry) done.steps.insert(done.steps.begin() + warning_at, note(Step::Kind::warning, *expiry));
  };
  const std::string value = fetched.value.value_or("");
  if (!destination.file.empty()) {
    if (!file_steps(fetched, value, destination, rules, out)) return out;
    if (destination.variables.empty()) {
      out.set = true;
      with_expiry(out);
      return out;
    }
  }
  const bool variables = variable_steps(fetched, value, destination, rules, out);
  out.set = variables || !destination.file.empty();
  with_expiry(out);
  return out;
}

}  // namespace fkv::secrets

#include "secrets/become.hpp"

#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cctype>

#include "agent/variable_names.hpp"
#include "core/base64.hpp"
#include "core/numbers.hpp"
#include "secrets/certificate.hpp"
#include "core/text.hpp"
#include "core/utc_time.hpp"

namespace fkv::secrets {
namespace {

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

bool has_alnum(std::string_view s) {
  for (char c : s) {
    if (std::isalnum(static_cast<unsigned char>(c)) || static_cast<unsigned char>(c) >= 0x80) return true;
  }
  return false;
}

bool key_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.'; }

// `key:`, `"key": {`, `- key: |`, `'key': [`: a key with no value on its line (JSON/YAML structure).
bool key_only_line(std::string_view t) {
  if (t.substr(0, 2) == "- ") t = trim(t.substr(2));
  std::size_t i = 0;
  const char quote = !t.empty() && (t[0] == '"' || t[0] == '\'') ? t[0] : '\0';
  if (quote) ++i;
  const std::size_t start = i;
  while (i < t.size() && key_char(t[i])) ++i;
  if (i == start) return false;
  if (quote) {
    if (i >= t.size() || t[i] != quote) return false;
    ++i;
  }
  std::string_view rest = trim(t.substr(i));
  if (rest.empty() || rest[0] != ':') return false;
  rest = trim(rest.substr(1));
  return rest.empty() || rest == "{" || rest == "[" || rest == "|" || rest == ">" || rest == "|-" || rest == ">-" ||
         rest == "|+" || rest == ">+";
}

bool pem_armour(std::string_view t) {
  return (t.substr(0, 11) == "-----BEGIN " || t.substr(0, 9) == "-----END ") && t.size() > 10 &&
         t.substr(t.size() - 5) == "-----";
}

// A trimmed line of a multi-line value that carries secret material (mask_values).
bool secret_line(std::string_view t) { return t.size() >= 4 && has_alnum(t) && !pem_armour(t) && !key_only_line(t); }

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

const char* const kWeakConsequence =
    ": the agent masks every occurrence of it in the job's log, so readers can locate it, and agents with "
    "AZP_IGNORE_SECRETS_SHORTER_THAN do not mask it at all. Use a longer value.";

// The value's masks, after one warning when a one-line value is weak; a JSON value's leaves too.
void add_value_masks(std::vector<Step>& steps, const vault::SecretRef& ref, std::string_view value) {
  if (value.find_first_of("\r\n") == std::string_view::npos) {
    if (auto why = weak_value(value)) {
      steps.push_back(note(Step::Kind::warning, "Secret '" + ref.text() + "' " + *why + kWeakConsequence));
    }
  }
  add_masks(steps, value);
  if (auto leaves = json_leaf_masks(value)) {
    for (auto& m : *leaves) steps.push_back(note(Step::Kind::mask, std::move(m)));
  }
}

// A certificate to a file its extension names: the converted bytes, the key's masks, the summary's facts.
// nullopt when this is not such a certificate (the value is written as it is); false in the pair: failed.
std::optional<bool> certificate_file(const vault::SecretOutcome& fetched, std::string_view stored, bool pkcs12,
                                     const agent::Destination& destination, const Rules& rules, Step& write,
                                     Becomes& out) {
  const auto format = certificate_format(destination.file);
  if (!format) return std::nullopt;
  const std::string password = *format == CertificateFormat::pkcs12 ? rules.certificate_password : "";
  auto file = convert_certificate(stored, pkcs12, *format, password);
  if (!file) {
    Error e = file.error();
    e.subject = fetched.ref.text();
    e.message = "Secret '" + fetched.ref.text() + "' was not written to '" + destination.file + "': " + e.message + ".";
    out.failure = std::move(e);
    return false;
  }
  add_masks(out.steps, file->key_pem);
  write.bytes = std::move(file->bytes);
  out.certificate = CertificateWritten{std::string(to_string(*format)) + (password.empty() ? "" : " (password)"),
                                       std::move(file->thumbprint), std::move(file->not_after)};
  return true;
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
  add_value_masks(out.steps, fetched.ref, value);
  Step write = note(Step::Kind::write_file, destination.file);
  if (is_pem_content_type(fetched.content_type)) {
    auto converted = certificate_file(fetched, value, false, destination, rules, write, out);
    if (converted && !*converted) return false;
    if (!converted) write.bytes = value;
  } else if (is_pkcs12_content_type(fetched.content_type)) {
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
    auto converted = certificate_file(fetched, *decoded, true, destination, rules, write, out);
    if (converted && !*converted) return false;
    if (!converted) write.bytes = std::move(*decoded);
  } else {
    write.bytes = value;
  }
  out.steps.push_back(std::move(write));
  out.steps.push_back(variable(destination.path_variable, "", false, false, true));
  if (rules.output_variables) out.steps.push_back(variable(destination.path_variable, "", false, true, true));
  if (out.certificate) {
    for (const bool output : {false, true}) {
      if (output && !rules.output_variables) continue;
      out.steps.push_back(variable(destination.path_variable + ".thumbprint", out.certificate->thumbprint, false,
                                   output));
      out.steps.push_back(variable(destination.path_variable + ".notAfter", out.certificate->not_after, false, output));
    }
  }
  return true;
}

// A JSON field's variable: '<variable>.<field>', the part taken from the secret written in VariableNameStyle
// like the rest of the name (env: 'APP_CONFIG' + '_USER'; dotnet: '--' -> '.').
std::string field_variable(const std::string& variable, const std::string& field, const Rules& rules) {
  return variable + agent::styled_name("." + field, rules.name_style);
}

// `=> json`: one secret variable per leaf. False when the secret failed.
bool json_steps(const vault::SecretOutcome& fetched, const std::string& value, const agent::Destination& destination,
                const Rules& rules, Becomes& out) {
  const std::string ref = fetched.ref.text();
  const std::string item = ref + " => json";
  if (is_pkcs12_content_type(fetched.content_type) || is_pem_content_type(fetched.content_type)) {
    out.failure = emit_error(fetched.ref,
                             "Secret '" + ref + "' was not expanded ('" + item +
                                 "'): it is a certificate (contentType " + std::string(trim(fetched.content_type)) +
                                 "), not a JSON object.",
                             "Write it to a file with '" + fetched.ref.name +
                                 " => file:<name>.pfx' (or .pem, .crt, .key), or remove '=> json'.");
    return false;
  }
  auto fields = json_fields(value);
  if (!fields) {
    out.failure = emit_error(fetched.ref,
                             "Secret '" + ref + "' was not expanded ('" + item + "'): " + fields.error().message + ".",
                             fields.error().hint);
    return false;
  }
  for (const auto& v : destination.variables) {
    for (const auto& f : *fields) {
      const std::string name = field_variable(v, f.name, rules);
      if (agent::is_variable_name(name) && !is_read_only_variable(name)) continue;
      out.failure = emit_error(fetched.ref,
                               "Secret '" + ref + "' was not expanded ('" + item + "'): the field '" + f.name +
                                   "' would set '" + name + "', which is not a variable name the task may set.",
                               "Shorten the JSON keys (a variable name is 1-255 characters), or remove '=> json'.");
      return false;
    }
  }
  std::string weak;
  bool multiline = false;
  for (const auto& f : *fields) {
    if (f.value.find_first_of("\r\n") != std::string::npos) {
      multiline = true;
    } else if (weak_value(f.value)) {
      weak += (weak.empty() ? "" : ", ") + f.name;
    }
  }
  if (!weak.empty()) {
    out.steps.push_back(note(Step::Kind::warning, "Secret '" + ref +
                                                      "' has fields that are shorter than 4 characters, "
                                                      "common words or numbers below 10000 (" +
                                                      weak + ")" + kWeakConsequence));
  }
  add_masks(out.steps, value);
  if (auto leaves = json_leaf_masks(value)) {
    for (auto& m : *leaves) out.steps.push_back(note(Step::Kind::mask, std::move(m)));
  }
  if (multiline) out.steps.push_back(note(Step::Kind::allow_multiline, ""));
  for (const auto& v : destination.variables) {
    for (const auto& f : *fields) {
      const std::string name = field_variable(v, f.name, rules);
      out.steps.push_back(variable(name, f.value, true, false));
      if (rules.output_variables) out.steps.push_back(variable(name, f.value, true, true));
    }
  }
  out.json_expanded = true;
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
      add_value_masks(out.steps, fetched.ref, value);
    } else {
      out.steps.push_back(note(Step::Kind::allow_multiline, ""));
      add_masks(out.steps, value);
    }
  } else {
    add_value_masks(out.steps, fetched.ref, value);
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
      const std::string_view t = trim(line);
      if (!secret_line(t) || std::find(out.begin(), out.end(), t) != out.end()) continue;
      out.emplace_back(t);
    }
  }
  out.emplace_back(value);
  return out;
}

std::optional<std::string> weak_value(std::string_view value) {
  if (value.empty()) return std::nullopt;  // empty: its own warning, nothing to mask
  if (value.size() < 4) return "is shorter than 4 characters";
  for (const char* word : {"true", "false", "yes", "no", "null", "on", "off"}) {
    if (iequals(value, word)) return "is a common word";
  }
  const std::string_view digits = value.front() == '-' ? value.substr(1) : value;
  if (parse_digits(digits, DigitRule{19, 0, 9999})) return "is a number below 10000";
  return std::nullopt;
}

namespace {

constexpr std::size_t kMaxJsonDepth = 32;
constexpr std::size_t kMaxJsonFields = 1000;

// SAX handler: a JSON value's leaves with their dotted names (numbers as their text).
struct LeafCollector {
  struct Frame {
    bool array = false;
    std::size_t next = 0;
    std::string path;
  };
  std::vector<Frame> stack;
  std::string key;
  std::vector<JsonField> fields;
  std::vector<bool> is_string;
  bool started = false, not_object = false, too_deep = false, too_many = false, top_array = false, bad = false;
  std::string bad_key;

  std::string child() {
    Frame& f = stack.back();
    std::string segment = f.array ? std::to_string(f.next++) : key;
    return f.path.empty() ? segment : f.path + "." + segment;
  }
  bool leaf(std::string text, bool string) {
    if (stack.empty()) {
      not_object = true;
      return false;
    }
    if (fields.size() == kMaxJsonFields) {
      too_many = true;
      return false;
    }
    fields.push_back({child(), std::move(text)});
    is_string.push_back(string);
    return true;
  }
  bool open(bool array) {
    if (stack.empty() && started) return false;
    if (stack.empty() && array) top_array = true;
    started = true;
    if (stack.size() == kMaxJsonDepth) {
      too_deep = true;
      return false;
    }
    std::string path = stack.empty() ? std::string() : child();
    stack.push_back({array, 0, std::move(path)});
    return true;
  }
  bool close() {
    stack.pop_back();
    return true;
  }
  bool Null() { return leaf("null", false); }
  bool Bool(bool b) { return leaf(b ? "true" : "false", false); }
  bool Int(int) { return false; }  // numbers arrive as RawNumber (kParseNumbersAsStringsFlag)
  bool Uint(unsigned) { return false; }
  bool Int64(int64_t) { return false; }
  bool Uint64(uint64_t) { return false; }
  bool Double(double) { return false; }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool) { return leaf(std::string(s, n), false); }
  bool String(const char* s, rapidjson::SizeType n, bool) { return leaf(std::string(s, n), true); }
  bool StartObject() { return open(false); }
  bool Key(const char* s, rapidjson::SizeType n, bool) {
    key.assign(s, n);
    const bool ok = !key.empty() && key.size() <= 64 && std::all_of(key.begin(), key.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
    });
    if (!ok) {
      bad = true;
      bad_key = key;
    }
    return ok;
  }
  bool EndObject(rapidjson::SizeType) { return close(); }
  bool StartArray() { return open(true); }
  bool EndArray(rapidjson::SizeType) { return close(); }
};

// Parses `text` with the collector; false when it is not JSON (the collector's flags say why, if they do).
bool collect(std::string_view text, LeafCollector& collector) {
  rapidjson::Reader reader;
  rapidjson::MemoryStream stream(text.data(), text.size());
  constexpr unsigned flags = rapidjson::kParseNumbersAsStringsFlag | rapidjson::kParseValidateEncodingFlag |
                             rapidjson::kParseIterativeFlag;
  return !reader.Parse<flags>(stream, collector).IsError();
}

// A key as a message may show it: printable ASCII, at most 40 characters.
std::string shown_key(std::string_view key) {
  std::string out;
  for (char c : key.substr(0, 40)) out.push_back(c >= 0x20 && c < 0x7F ? c : '?');
  return key.size() > 40 ? out + "..." : out;
}

}  // namespace

std::optional<std::vector<std::string>> json_leaf_masks(std::string_view text) {
  const std::string_view t = trim(text);
  if (t.empty() || (t.front() != '{' && t.front() != '[')) return std::nullopt;
  LeafCollector collector;
  if (!collect(text, collector)) return std::nullopt;
  std::vector<std::string> out;
  for (std::size_t i = 0; i < collector.fields.size(); ++i) {
    const std::string& v = collector.fields[i].value;
    if (!collector.is_string[i]) continue;
    if (v.find_first_of("\r\n") != std::string::npos) {
      auto lines = mask_values(v);
      lines.pop_back();  // the whole multi-line text: no log line can hold it
      for (auto& m : lines) out.push_back(std::move(m));
    } else if (secret_line(trim(v)) && !weak_value(v) && std::find(out.begin(), out.end(), v) == out.end()) {
      out.push_back(v);
    }
  }
  return out;
}

Expected<std::vector<JsonField>> json_fields(std::string_view text) {
  auto fail = [](std::string message, std::string hint) {
    Error e;
    e.stage = Stage::emit;
    e.message = std::move(message);
    e.hint = std::move(hint);
    return e;
  };
  const char* const hint = "Store the secret as one JSON object, e.g. {\"user\": \"...\", \"password\": \"...\"}.";
  LeafCollector collector;
  const bool ok = collect(text, collector);
  if (collector.bad) {
    return fail("its key '" + shown_key(collector.bad_key) +
                    "' cannot be part of a variable name (keys are 1-64 characters of 0-9, a-z, A-Z, '_' and '-')",
                "Rename the key in the JSON, or remove '=> json'.");
  }
  if (collector.top_array || collector.not_object || (ok && !collector.started)) {
    return fail("its value is not a JSON object", hint);
  }
  if (collector.too_deep) return fail("its JSON nests more than 32 levels", hint);
  if (collector.too_many) return fail("its JSON has more than 1000 fields", hint);
  if (!ok) return fail("its value is not valid JSON", hint);
  std::vector<std::string> seen;
  for (const auto& f : collector.fields) {
    std::string lower = ascii_lower(f.name);
    if (std::find(seen.begin(), seen.end(), lower) != seen.end()) {
      return fail("two of its fields would both set the field '" + shown_key(f.name) +
                      "' (variable names are compared without regard to case)",
                  "Give each key its own name in the JSON.");
    }
    seen.push_back(std::move(lower));
  }
  return std::move(collector.fields);
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
  if (destination.json) {
    out.set = json_steps(fetched, value, destination, rules, out);
    return out;
  }
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

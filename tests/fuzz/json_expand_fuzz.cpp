// `=> json` (secrets/become.hpp: json_fields, json_leaf_masks, become with a JSON destination) on hostile
// JSON: deep, wide, duplicate keys, bad keys, truncated, invalid UTF-8. Input: the secret's value.
// Properties:
// - json_fields: at most 1000 fields, names of 1-64 character keys of [0-9A-Za-z_-] joined with '.', no two
//   equal without regard to case; re-nested as a JSON object of strings and expanded again, the same fields;
// - an error names a key or field at most (its quoted part is made of the document's keys), never a value:
//   the message is one of the fixed texts, or a quoting one whose quoted part is made of the document's keys;
// - become(=> json) sets exactly the fields as secret variables "svc.<field>" and not "svc"; on failure
//   nothing is set; every mask is the value, a line of it, or a string leaf of it.
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "secrets/become.hpp"

namespace {

// The document's keys and string values as far as it parses (rapidjson's SAX, as become reads it).
struct Strings : rapidjson::BaseReaderHandler<rapidjson::UTF8<>, Strings> {
  std::set<std::string> keys, values;
  bool Key(const char* s, rapidjson::SizeType n, bool) {
    keys.emplace(s, n);
    return true;
  }
  bool String(const char* s, rapidjson::SizeType n, bool) {
    values.emplace(s, n);
    return true;
  }
  bool RawNumber(const char*, rapidjson::SizeType, bool) { return true; }
};

std::string shown(const std::string& key) {
  std::string out;
  for (char c : key.substr(0, 40)) out.push_back(c >= 0x20 && c < 0x7F ? c : '?');
  return out;
}

bool key_text(std::string_view k) {
  return !k.empty() && k.size() <= 64 && std::all_of(k.begin(), k.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
}

// Fields re-nested as a JSON object whose leaves are strings; empty when a name is both a leaf and a parent.
struct Node {
  std::map<std::string, std::unique_ptr<Node>> children;
  std::vector<std::string> order;
  const std::string* value = nullptr;
};
bool insert(Node& root, const fkv::secrets::JsonField& f) {
  Node* at = &root;
  std::size_t start = 0;
  for (;;) {
    const auto dot = f.name.find('.', start);
    const std::string key = f.name.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (at->value) return false;
    auto& child = at->children[key];
    if (!child) {
      child = std::make_unique<Node>();
      at->order.push_back(key);
    }
    at = child.get();
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (at->value || !at->children.empty()) return false;
  at->value = &f.value;
  return true;
}
void write(const Node& node, rapidjson::Writer<rapidjson::StringBuffer>& w) {
  if (node.value) {
    w.String(node.value->data(), static_cast<rapidjson::SizeType>(node.value->size()));
    return;
  }
  w.StartObject();
  for (const auto& key : node.order) {
    w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
    write(*node.children.at(key), w);
  }
  w.EndObject();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string value(fkv::fuzz::as_text(data, size));
  Strings strings;
  {
    rapidjson::Reader reader;
    rapidjson::MemoryStream stream(value.data(), value.size());
    reader.Parse<rapidjson::kParseNumbersAsStringsFlag | rapidjson::kParseValidateEncodingFlag |
                 rapidjson::kParseIterativeFlag>(stream, strings);
  }
  std::set<std::string> shown_keys;
  for (const auto& k : strings.keys) shown_keys.insert(shown(k));

  auto fields = fkv::secrets::json_fields(value);
  if (!fields) {
    const std::string& message = fields.error().message;
    static const std::set<std::string> kFixed = {
        "its value is not a JSON object",
        "its JSON nests more than 32 levels",
        "its JSON has more than 1000 fields",
        "its value is not valid JSON",
    };
    // The messages that quote a key or a field name: what stands between the prefix and the suffix.
    static const std::pair<std::string, std::string> kQuoting[] = {
        {"its key '", "' cannot be part of a variable name (keys are 1-64 characters of 0-9, a-z, A-Z, '_' and '-')"},
        {"two of its fields would both set the field '", "' (variable names are compared without regard to case)"},
    };
    bool known = kFixed.count(message) == 1;
    for (const auto& [prefix, suffix] : kQuoting) {
      if (known || message.size() < prefix.size() + suffix.size() || message.compare(0, prefix.size(), prefix) != 0 ||
          message.compare(message.size() - suffix.size(), suffix.size(), suffix) != 0) {
        continue;
      }
      known = true;
      std::string quoted = message.substr(prefix.size(), message.size() - prefix.size() - suffix.size());
      if (quoted.size() > 3 && quoted.compare(quoted.size() - 3, 3, "...") == 0) quoted.resize(quoted.size() - 3);
      // The quoted part is (the start of) one of the document's keys, or a field name: each '.'-separated
      // part (the start of) a key or an array index.
      const auto key_start = [&](const std::string& part) {
        return std::any_of(shown_keys.begin(), shown_keys.end(),
                           [&](const std::string& k) { return k.compare(0, part.size(), part) == 0; });
      };
      bool field = true;
      std::size_t start = 0;
      for (;;) {
        const auto dot = quoted.find('.', start);
        const std::string part = quoted.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        const bool index = !part.empty() &&
                           std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; });
        field = field && (index || key_start(part));
        if (dot == std::string::npos) break;
        start = dot + 1;
      }
      FKV_FUZZ_CHECK(field || key_start(quoted));
    }
    FKV_FUZZ_CHECK(known);
  } else {
    FKV_FUZZ_CHECK(fields->size() <= 1000);
    std::set<std::string> lower;
    Node root;
    bool nestable = true;
    for (const auto& f : *fields) {
      std::size_t start = 0;
      for (;;) {
        const auto dot = f.name.find('.', start);
        FKV_FUZZ_CHECK(key_text(f.name.substr(start, dot == std::string::npos ? std::string::npos : dot - start)));
        if (dot == std::string::npos) break;
        start = dot + 1;
      }
      std::string l = f.name;
      std::transform(l.begin(), l.end(), l.begin(), [](unsigned char c) { return std::tolower(c); });
      FKV_FUZZ_CHECK(lower.insert(l).second);
      nestable = nestable && insert(root, f);
    }
    if (nestable) {
      rapidjson::StringBuffer buffer;
      rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
      write(root, writer);
      auto again = fkv::secrets::json_fields(std::string_view(buffer.GetString(), buffer.GetSize()));
      FKV_FUZZ_CHECK(again && *again == *fields);
    }
  }

  fkv::vault::SecretOutcome fetched;
  fetched.ref.name = "svc";
  fetched.value = value;
  fkv::agent::Destination destination;
  destination.json = true;
  destination.named = true;
  destination.variables = {"svc"};
  const auto becomes = fkv::secrets::become(fetched, destination, {});
  std::vector<std::string> set;
  for (const auto& step : becomes.steps) {
    if (step.kind == fkv::secrets::Step::Kind::set_variable) {
      FKV_FUZZ_CHECK(step.secret && step.name != "svc");
      set.push_back(step.name.substr(4) + "=" + step.text);
    } else if (step.kind == fkv::secrets::Step::Kind::mask) {
      FKV_FUZZ_CHECK(value.find(step.text) != std::string::npos || strings.values.count(step.text) ||
                     std::any_of(strings.values.begin(), strings.values.end(),
                                 [&](const std::string& v) { return v.find(step.text) != std::string::npos; }));
    }
  }
  if (becomes.failure || !fields) {
    FKV_FUZZ_CHECK(set.empty());
  } else {
    std::vector<std::string> want;
    for (const auto& f : *fields) want.push_back(f.name + "=" + f.value);
    FKV_FUZZ_CHECK(set == want);
  }
  return 0;
}

#include "vault/kv_json.hpp"

#include "core/numbers.hpp"

#include <rapidjson/document.h>

namespace fkv::vault {
namespace {

using Value = rapidjson::Value;

const Value* member(const Value& object, const char* name) {
  if (!object.IsObject()) return nullptr;
  auto it = object.FindMember(name);
  if (it == object.MemberEnd() || it->value.IsNull()) return nullptr;
  return &it->value;
}

std::string string_or_empty(const Value* v) {
  return v && v->IsString() ? std::string(v->GetString(), v->GetStringLength()) : std::string();
}

// A unix time: an integer as is, a fraction truncated; absent when the number is outside int64
// (1e300, 2^64-1): converting such a double is undefined behaviour.
std::optional<std::int64_t> time_of(const Value* v) {
  if (v && v->IsInt64()) return v->GetInt64();
  if (v && v->IsNumber()) return saturating_int64(v->GetDouble());  // beyond int64: saturate, never UB
  return std::nullopt;
}

SecretAttributes attributes_of(const Value& object) {
  SecretAttributes a;
  if (const Value* attrs = member(object, "attributes"); attrs && attrs->IsObject()) {
    if (const Value* e = member(*attrs, "enabled"); e && e->IsBool()) a.enabled = e->GetBool();
    a.nbf = time_of(member(*attrs, "nbf"));
    a.exp = time_of(member(*attrs, "exp"));
  }
  return a;
}

Error parse_error(Stage stage, std::string what) {
  Error e;
  e.stage = stage;
  e.message = "Key Vault returned " + what + ".";
  e.hint = "This is not expected from Azure Key Vault: check for a proxy or TLS-inspecting device rewriting "
           "responses.";
  return e;
}

}  // namespace

Expected<ListPage> parse_list_page(std::string_view body) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(body.data(), body.size());
  if (doc.HasParseError() || !doc.IsObject()) return parse_error(Stage::vault_list, "a secret list that is not JSON");
  ListPage page;
  if (const Value* items = member(doc, "value")) {
    if (!items->IsArray()) return parse_error(Stage::vault_list, "a secret list whose \"value\" is not an array");
    for (const auto& item : items->GetArray()) {
      if (!item.IsObject()) continue;
      SecretItem s;
      s.id = string_or_empty(member(item, "id"));
      s.attributes = attributes_of(item);
      if (const Value* m = member(item, "managed"); m && m->IsBool()) s.managed = m->GetBool();
      s.content_type = string_or_empty(member(item, "contentType"));
      if (const Value* tags = member(item, "tags"); tags && tags->IsObject()) {
        for (const auto& tag : tags->GetObject()) {
          if (!tag.value.IsString()) continue;  // Key Vault tags are strings; anything else is left out
          s.tags.emplace_back(std::string(tag.name.GetString(), tag.name.GetStringLength()),
                              std::string(tag.value.GetString(), tag.value.GetStringLength()));
        }
      }
      page.items.push_back(std::move(s));
    }
  }
  if (const Value* next = member(doc, "nextLink"); next && next->IsString() && next->GetStringLength() > 0) {
    page.next_link = std::string(next->GetString(), next->GetStringLength());
  }
  return page;
}

Expected<SecretBundle> parse_secret_bundle(std::string_view body) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(body.data(), body.size());
  if (doc.HasParseError() || !doc.IsObject()) return parse_error(Stage::vault_get, "a secret that is not JSON");
  SecretBundle b;
  const Value* value = member(doc, "value");
  if (value && !value->IsString()) return parse_error(Stage::vault_get, "a secret whose value is not a string");
  b.value = string_or_empty(value);
  b.id = string_or_empty(member(doc, "id"));
  if (const Value* type = member(doc, "contentType"); type && type->IsString()) b.content_type = type->GetString();
  b.attributes = attributes_of(doc);
  return b;
}

std::optional<KvError> parse_kv_error(std::string_view body) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(body.data(), body.size());
  if (doc.HasParseError() || !doc.IsObject()) return std::nullopt;
  const Value* error = member(doc, "error");
  if (!error || !error->IsObject()) return std::nullopt;
  KvError e;
  e.code = string_or_empty(member(*error, "code"));
  e.message = string_or_empty(member(*error, "message"));
  if (const Value* inner = member(*error, "innererror"); inner && inner->IsObject()) {
    e.inner_code = string_or_empty(member(*inner, "code"));
  } else if (const Value* inner2 = member(*error, "innerError"); inner2 && inner2->IsObject()) {
    e.inner_code = string_or_empty(member(*inner2, "code"));
  }
  return e;
}

std::string secret_name_from_id(std::string_view id) {
  constexpr std::string_view marker = "/secrets/";
  const auto pos = id.find(marker);
  if (pos == std::string_view::npos) return {};
  std::string_view rest = id.substr(pos + marker.size());
  const auto end = rest.find_first_of("/?#");
  return std::string(rest.substr(0, end));
}

}  // namespace fkv::vault

// Key Vault JSON payloads (api-version 7.5) parsed into plain values. Pure.
// Every field is optional on the wire (identity-keyvault-protocol.md §5.3-5.5), so parsing is defensive:
// a missing or null field is "absent", a field of the wrong type is a parse error only where we need it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/expected.hpp"

namespace fkv::vault {

struct SecretAttributes {
  std::optional<bool> enabled;
  std::optional<std::int64_t> nbf;  // unix seconds
  std::optional<std::int64_t> exp;  // unix seconds
};

struct SecretItem {
  std::string id;  // https://<vault>/secrets/<name>
  SecretAttributes attributes;
  bool managed = false;                                   // backs a certificate
  std::string content_type;                               // contentType; absent or not a string -> empty
  std::vector<std::pair<std::string, std::string>> tags;  // string-valued tags, in the server's order
};

struct ListPage {
  std::vector<SecretItem> items;         // "value": [] or null or absent -> empty
  std::optional<std::string> next_link;  // absent, null or "" -> nullopt
};

struct SecretBundle {
  std::string value;  // SECRET; absent -> empty
  std::string id;
  std::string content_type;  // contentType; absent or not a string -> empty
  SecretAttributes attributes;
};

struct KvError {
  std::string code;        // error.code, e.g. "Forbidden"
  std::string message;     // error.message
  std::string inner_code;  // error.innererror.code, e.g. "ForbiddenByRbac"; empty if none
};

// Parse errors carry no payload text (a secret bundle holds a secret).
Expected<ListPage> parse_list_page(std::string_view body);
Expected<SecretBundle> parse_secret_bundle(std::string_view body);
std::optional<KvError> parse_kv_error(std::string_view body);

// The secret name of a list item id: the path segment after "/secrets/" (empty if the id has another shape).
std::string secret_name_from_id(std::string_view id);

}  // namespace fkv::vault

// Key Vault's own vocabulary: a secret reference and a selection of secrets. Plain data and the name
// rules Key Vault enforces; the SecretsFilter grammar that produces them is the agent's
// (agent/selection.hpp), the plan that turns them into requests and destinations is agent/secret_plan.hpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fkv::vault {

// One secret, optionally pinned to a version ("name/version").
struct SecretRef {
  std::string name;
  std::string version;  // empty = latest
  // The text as the user wrote it, trimmed: "name" or "name/version". Used as a variable name.
  std::string text() const { return version.empty() ? name : name + "/" + version; }
  bool operator==(const SecretRef&) const = default;
};

// A secret as the vault's list shows it (no value): what SecretsFilter's selectors match.
struct ListedSecret {
  std::string name;
  std::string content_type;                               // the server's text; empty: none
  std::vector<std::pair<std::string, std::string>> tags;  // the server's texts
  std::optional<std::int64_t> exp;                        // unix seconds
};

// One selector of an item beyond its name pattern (issue 19): 'tag:NAME', 'tag:NAME=VALUE', 'type:TYPE'.
struct Selector {
  enum class Kind { tag, type };
  Kind kind = Kind::tag;
  std::string name;   // tag: the tag's name (no wildcards); type: the content-type pattern ('*' allowed)
  std::string value;  // tag with a value: the value pattern ('*' and '?' allowed)
  bool has_value = false;
  bool operator==(const Selector&) const = default;
};

// One item of SecretsFilter (agent/selection.hpp has the grammar).
struct FilterItem {
  enum class Kind { name, glob, exclude };
  Kind kind = Kind::name;
  std::string text;      // the item as written, trimmed
  SecretRef ref;         // name: the secret (and version); glob and exclude: ref.name is the pattern ('*' when
                         // the item has only selectors)
  std::string variable;  // "=> VARIABLE": the variable name instead of the secret's; empty: none
  std::string file;      // "=> file:PATH": the relative path, '/'-separated; empty: none
  std::vector<Selector> selectors;  // glob and exclude: every one must match too ('&'); empty: the name only
  bool json = false;                // "=> json": a JSON object's fields become variables (issue 18)
  bool operator==(const FilterItem&) const = default;
};

// What SecretsFilter selects.
// - all: the vault is listed ('*', a glob, or only exclusions); a filter of literal names only is not listed.
// - names: the literal items' secrets, deduplicated (case-insensitively), in the user's order; these are
//   fetched by name whether or not the vault is listed.
// - items: every include and exclude item, in order; empty for the plain '*' filter (today's behaviour).
struct Selection {
  bool all = true;
  std::vector<SecretRef> names;
  std::vector<FilterItem> items = {};
};

bool is_secret_name(std::string_view name);        // ^[0-9A-Za-z-]{1,127}$
bool is_secret_version(std::string_view version);  // ^[0-9A-Za-z]{1,64}$

}  // namespace fkv::vault

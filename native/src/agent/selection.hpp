// SecretsFilter -> Selection. Pure.
//
// Grammar (issue 11; backward compatible with AzureKeyVault@2 and issue 3):
// - items are separated by ',' and/or line breaks (a YAML block with one item a line works); each item is
//   trimmed of white space and blank items are dropped;
// - an item is one of
//     '*'                    every enabled, unexpired secret (listed);
//     NAME or NAME/VERSION   a literal secret: NAME ^[0-9A-Za-z-]{1,127}$, VERSION ^[0-9A-Za-z]{1,64}$
//                            (Key Vault versions are 32 hex characters; any alphanumeric id is accepted so a
//                            future format still works, and Key Vault answers 400/404);
//     GLOB                   NAME characters plus '*' (any run) and '?' (one character), matched against the
//                            listed names case-insensitively, as Key Vault compares names;
//     !NAME or !GLOB         excludes what it matches from what the other items select; a filter of only
//                            exclusions means '*' minus these;
//   and an include item that is a NAME or NAME/VERSION may end with a target:
//     => VARIABLE            the variable's name instead of the secret's (agent/variable_names.hpp; not a
//                            read-only name);
//     => file:RELATIVE/PATH  the value is written to that file under $(Agent.TempDirectory): segments of
//                            0-9, a-z, A-Z, '.', '_', '-' separated by '/', no absolute path, no '..';
//     => json                the secret's JSON object becomes one secret variable per field (issue 18);
// - selectors (issue 19), in include and exclusion items, select among the enabled, unexpired listed secrets
//   by what the list says of them (no extra request):
//     tag:NAME               the secret has the tag NAME (case-insensitive; no wildcards in tag names);
//     tag:NAME=VALUE         ...with that value: case-sensitive, '*' and '?' allowed, 'tag:NAME=' an empty one;
//     type:CONTENT-TYPE      its contentType, case-insensitive, as a whole string (parameters included), '*'
//                            allowed;
//     A & B & ...            every part must match: at most one NAME or GLOB, the rest selectors
//                            ('app-* & tag:env=prod', '!tag:env=dev & type:text/plain');
//   such items take no version and no target (renames and files stay on plain names);
// - the vault is listed (Selection::all) when an include is a GLOB, '*' or has selectors, or when there are
//   only exclusions;
//   a filter of literal names only is not listed (one GET per name);
// - duplicate literal secrets (case-insensitive, as Key Vault and pipeline variable names are) are fetched
//   once, the first kept; order is kept. Which variables they set, and the conflicts between items, are the
//   planner's (agent/secret_plan.hpp).
// Errors are config Errors with subject "SecretsFilter", naming the bad item and what to write instead.
#pragma once

#include <string_view>
#include <vector>

#include "agent/task_config.hpp"
#include "core/expected.hpp"

namespace fkv::agent {

using vault::is_secret_name;                 // ^[0-9A-Za-z-]{1,127}$ (vault/secret_ref.hpp)
using vault::is_secret_version;              // ^[0-9A-Za-z]{1,64}$
bool is_secret_glob(std::string_view glob);  // ^[0-9A-Za-z*?-]{1,127}$ holding '*' or '?'

// `glob` against a secret name, ASCII case-insensitively: '*' any run (also empty), '?' one character.
bool glob_match(std::string_view glob, std::string_view name);

Expected<Selection> parse_secrets_filter(std::string_view filter);

// `pattern` against `text`: '*' any run (also empty), '?' one character when `question` (else literal),
// ASCII case-insensitively when `fold_case`.
bool wildcard_match(std::string_view pattern, std::string_view text, bool fold_case, bool question);
// A listed secret against an item's name pattern and selectors (every one must match).
bool matches(std::string_view glob, const std::vector<vault::Selector>& selectors, const vault::ListedSecret& item);

}  // namespace fkv::agent

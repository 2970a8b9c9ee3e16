// Selection -> what to fetch and where each secret goes (variables, files), including the conflicts
// between items. Pure and deterministic; not thread-safe (the caller serialises calls).
//
// Destinations (VariablePrefix = P; S(x) = x written in VariableNameStyle, agent/variable_names.hpp):
// - a secret selected by '*', a pattern or selectors: the secret variable P<S(name)>;
// - a literal NAME: P<S(NAME)>; NAME/VERSION: P<S(NAME)> and P<S(NAME/VERSION)> (AzureKeyVault@2 parity);
// - NAME => VARIABLE: the secret variable VARIABLE only (no prefix);
// - NAME => file:PATH: the file PATH under $(Agent.TempDirectory) and the non-secret variable P<S(NAME)> holding
//   the file's absolute path (and, for a certificate, P<S(NAME)>.thumbprint and P<S(NAME)>.notAfter);
// - NAME => json: the secret variables P<S(NAME)>.<field> (secrets/become.hpp), not P<S(NAME)> itself; every
//   variable another item sets under 'P<S(NAME)>.' is a conflict with it;
// - several items for the same secret (and version) add up; a secret named by an item is handled by its items
//   only, never also by a pattern that matches it (so 'app-*, app-cert => file:c.pfx' writes the file and does
//   not also set 'app-cert').
// Exclusions remove what they match from every include, named secrets included (an exclusion with tag: or
// type: selectors only applies to listed secrets: a named secret's tags are not known before it is fetched).
// Patterns and selectors ('tag:', 'type:', '&': agent/selection.hpp) are matched against each listed item.
//
// Conflicts: two secrets that would set the same variable (compared case-insensitively, as the agent does)
// or write the same file. Items of the same secret name setting its value under the same variable are not
// a conflict (e.g. 'a, a/<version>' set 'a' twice, as AzureKeyVault@2 does).
// - Between named items: known before any network call -> make() returns the config Error.
// - Between a listed secret and a renamed item ('app-*' plus 'legacy-key => app-key' when the vault holds
//   app-key), or a named item whose styled name a listed secret also gives ('db/v1' and 'db-v1' with the env
//   style: DB_V1): known only from the list. Such renamed items are held back (after(), not before()) until the
//   listing has ended, so a conflict is decided before either value is fetched: both secrets are left out,
//   and conflicts() names both. Every other item is fetched at once (before()), and listed secrets as they
//   are listed (take()), so the download still streams.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "agent/task_config.hpp"
#include "core/error.hpp"
#include "core/expected.hpp"
#include "vault/client.hpp"

namespace fkv::agent {

struct Destination {
  std::vector<std::string> variables;  // secret variables holding the value, in order
  std::string file;                    // the relative path under Agent.TempDirectory; empty: none
  std::string path_variable;           // with a file: the non-secret variable holding its absolute path
  bool named = false;                  // named by an item (MissingSecrets applies), not only matched
  bool json = false;                   // => json: `variables` are the prefixes of the fields' variables
  bool operator==(const Destination&) const = default;
};

struct Conflict {
  Error error;                       // stage emit, naming both secrets
  std::vector<std::string> secrets;  // the two secrets, neither set
};

class SecretPlan {
 public:
  static Expected<SecretPlan> make(const Selection& selection, std::string_view prefix,
                                   NameStyle style = NameStyle::secret);

  bool lists() const { return lists_; }
  // Named secrets to fetch at once (all of them when the vault is not listed).
  std::vector<SecretRef> before() const;
  // A listed (enabled, unexpired) secret: true when it is to be fetched now.
  bool take(const vault::ListedSecret& item);
  bool take(std::string_view name) { return take(vault::ListedSecret{std::string(name), {}, {}, {}}); }
  // Once, when the listing has ended (also early): the held-back named secrets without a conflict.
  std::vector<SecretRef> after();
  const std::vector<Conflict>& conflicts() const { return conflicts_; }
  // Where a fetched secret goes.
  Destination destination(const SecretRef& ref) const;

 private:
  struct Named {
    SecretRef ref;
    Destination destination;
    std::vector<std::string> items;  // the item texts, for messages
    bool held = false;
    bool conflicted = false;
  };
  struct Rename {
    std::size_t named;  // index into named_
    std::string item;
  };
  struct Matcher {
    std::string glob;                        // the name pattern ('*' for any)
    std::vector<vault::Selector> selectors;  // all of them must match too
  };
  bool included(const vault::ListedSecret& item) const;
  bool excluded(const vault::ListedSecret& item) const;
  bool may_include(std::string_view name) const;          // some include's pattern matches (selectors unknown)
  bool surely_excluded(std::string_view name) const;      // an exclusion without selectors matches
  std::string variable_for(std::string_view name) const;  // P + S(name)

  bool lists_ = false;
  std::string prefix_;
  NameStyle style_ = NameStyle::secret;
  std::vector<Matcher> includes_;  // patterns ('*' included); empty with only exclusions: everything
  std::vector<Matcher> excludes_;
  std::vector<Named> named_;                   // in filter order
  std::map<std::string, std::size_t> by_ref_;  // lower-case ref text -> index into named_
  std::map<std::string, bool> named_secrets_;  // lower-case names of named secrets
  std::map<std::string, Rename> renames_;      // lower-case rename targets that a listed secret could also set
  std::vector<Conflict> conflicts_;
};

// A fresh copy of the plan the reader made (TaskConfig::plan), for one run to consume; for a configuration
// not made by the reader (plan unset), the plan made now from its selection, prefix and style.
Expected<SecretPlan> plan_of(const TaskConfig& config);

// The plan as the vault client's FetchSource (vault/client.hpp): what the plan answers, asked from the
// listing thread (take) and at the end of the listing (after) under `lock`, which the caller also holds
// whenever it asks the plan about destinations. `not_taken` hears of each listed name the filter does not
// select (called without the lock held).
vault::FetchSource fetch_source(SecretPlan& plan, std::mutex& lock,
                                std::function<void(const std::string& name)> not_taken);

}  // namespace fkv::agent

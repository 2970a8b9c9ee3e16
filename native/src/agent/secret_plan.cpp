#include "agent/secret_plan.hpp"

#include <algorithm>
#include <optional>

#include "agent/selection.hpp"
#include "agent/variable_names.hpp"
#include "core/text.hpp"

namespace fkv::agent {
namespace {

struct Claim {
  std::string key;     // lower-case variable name or file path
  std::string shown;   // as written
  std::string secret;  // lower-case secret name
  bool value = true;   // the secret's value (not a file path)
  std::string item;
};

void add_unique(std::vector<std::string>& names, const std::string& name) {
  for (const auto& n : names) {
    if (iequals(n, name)) return;
  }
  names.push_back(name);
}

Error conflict_error(std::string message) {
  return config_error("SecretsFilter", std::move(message),
                      "Each variable and each file can come from one secret only.");
}

// `NAME => json`: the fields' variables are '<variable>.<field>' (in VariableNameStyle env '<VARIABLE>_<FIELD>',
// secrets/become.cpp); what they are is known from the value only.
void add_json(Destination& destination, const std::string& variable, const std::string& secret, const std::string& item,
              NameStyle style, std::vector<Claim>& json_prefixes) {
  destination.json = true;
  add_unique(destination.variables, variable);
  json_prefixes.push_back({ascii_lower(variable) + styled_name(".", style), variable, secret, true, item});
}

// A variable another item sets under a JSON item's '<variable>.' (the fields could set it too).
std::optional<Error> json_conflict(const std::vector<Claim>& json_prefixes, const std::vector<Claim>& variables) {
  for (const Claim& prefix : json_prefixes) {
    auto clash = [&](const Claim& c) { return c.item != prefix.item && c.key.rfind(prefix.key, 0) == 0; };
    for (const Claim& c : variables) {
      if (!clash(c)) continue;
      return conflict_error("SecretsFilter: '" + prefix.item + "' and '" + c.item + "' could both set the variable '" +
                            c.shown + "' ('" + prefix.item + "' sets a variable '" + prefix.shown +
                            ".<field>' per JSON field); give one of them another name with '=> <variable>'.");
    }
    for (const Claim& other : json_prefixes) {
      if (!clash(other)) continue;
      return conflict_error("SecretsFilter: '" + prefix.item + "' and '" + other.item +
                            "' could both set variables under '" + prefix.shown +
                            ".'; give one of them another name with '=> <variable>'.");
    }
  }
  return std::nullopt;
}

}  // namespace

bool SecretPlan::included(const vault::ListedSecret& item) const {
  if (includes_.empty()) return true;  // only exclusions: everything else
  return std::any_of(includes_.begin(), includes_.end(),
                     [&](const Matcher& m) { return matches(m.glob, m.selectors, item); });
}

bool SecretPlan::excluded(const vault::ListedSecret& item) const {
  return std::any_of(excludes_.begin(), excludes_.end(),
                     [&](const Matcher& m) { return matches(m.glob, m.selectors, item); });
}

bool SecretPlan::may_include(std::string_view name) const {
  if (includes_.empty()) return true;
  return std::any_of(includes_.begin(), includes_.end(), [&](const Matcher& m) { return glob_match(m.glob, name); });
}

bool SecretPlan::surely_excluded(std::string_view name) const {
  return std::any_of(excludes_.begin(), excludes_.end(),
                     [&](const Matcher& m) { return m.selectors.empty() && glob_match(m.glob, name); });
}

std::string SecretPlan::variable_for(std::string_view name) const { return prefix_ + styled_name(name, style_); }

Expected<SecretPlan> SecretPlan::make(const Selection& selection, std::string_view prefix, NameStyle style) {
  SecretPlan plan;
  plan.lists_ = selection.all;
  plan.prefix_ = std::string(prefix);
  plan.style_ = style;
  for (const auto& item : selection.items) {
    if (item.kind == FilterItem::Kind::glob) plan.includes_.push_back({item.ref.name, item.selectors});
    if (item.kind == FilterItem::Kind::exclude) plan.excludes_.push_back({item.ref.name, item.selectors});
  }

  std::vector<Claim> variables, files, json_prefixes;
  std::vector<std::string> items_seen;
  for (const auto& item : selection.items) {
    if (item.kind != FilterItem::Kind::name || plan.surely_excluded(item.ref.name)) continue;
    const std::string item_key = ascii_lower(item.text);
    if (std::find(items_seen.begin(), items_seen.end(), item_key) != items_seen.end()) continue;
    items_seen.push_back(item_key);

    const std::string key = ascii_lower(item.ref.text());
    auto [at, inserted] = plan.by_ref_.try_emplace(key, plan.named_.size());
    if (inserted) {
      Named n;
      n.ref = item.ref;
      n.destination.named = true;
      plan.named_.push_back(std::move(n));
      plan.named_secrets_[ascii_lower(item.ref.name)] = true;
    }
    Named& named = plan.named_[at->second];
    named.items.push_back(item.text);
    const std::string secret = ascii_lower(item.ref.name);
    if (item.json) {
      add_json(named.destination, plan.variable_for(item.ref.name), secret, item.text, plan.style_, json_prefixes);
    } else if (!item.variable.empty()) {
      add_unique(named.destination.variables, item.variable);
      variables.push_back({ascii_lower(item.variable), item.variable, secret, true, item.text});
    } else if (!item.file.empty()) {
      named.destination.file = item.file;
      named.destination.path_variable = plan.variable_for(item.ref.name);
      files.push_back({ascii_lower(item.file), item.file, secret, false, item.text});
      // The path variable, and for a certificate (known from its content type only) its thumbprint and notAfter.
      for (const char* suffix : {"", ".thumbprint", ".notAfter"}) {
        const std::string variable = named.destination.path_variable + suffix;
        variables.push_back({ascii_lower(variable), variable, secret, false, item.text});
      }
    } else {
      const std::string plain = plan.variable_for(item.ref.name);
      add_unique(named.destination.variables, plain);
      variables.push_back({ascii_lower(plain), plain, secret, true, item.text});
      if (!item.ref.version.empty()) {
        const std::string versioned = plan.variable_for(item.ref.text());
        add_unique(named.destination.variables, versioned);
        variables.push_back({ascii_lower(versioned), versioned, secret, true, item.text});
      }
    }
  }

  for (std::size_t i = 0; i < variables.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      const Claim& a = variables[j];
      const Claim& b = variables[i];
      if (a.key != b.key || (a.value && b.value && a.secret == b.secret)) continue;
      return conflict_error("SecretsFilter: '" + a.item + "' and '" + b.item + "' would both set the variable '" +
                            b.shown +
                            "' (variable names are compared without regard to case); give one of them "
                            "another name with '=> <variable>'.");
    }
  }
  if (auto conflict = json_conflict(json_prefixes, variables)) return *conflict;
  for (std::size_t i = 0; i < files.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (files[j].key != files[i].key) continue;
      return conflict_error("SecretsFilter: '" + files[j].item + "' and '" + files[i].item +
                            "' would both write the file '" + files[i].shown + "'; give each secret its own file.");
    }
  }

  // Renames that a listed secret could also set (P + a listed name): held back until the list is known.
  if (plan.lists_) {
    const std::string lower_prefix = ascii_lower(plan.prefix_);
    for (std::size_t i = 0; i < plan.named_.size(); ++i) {
      Named& named = plan.named_[i];
      for (const auto& variable : named.destination.variables) {
        const std::string v = ascii_lower(variable);
        if (v.size() <= lower_prefix.size() || v.compare(0, lower_prefix.size(), lower_prefix) != 0) continue;
        const auto from = unstyled_secret_name(v.substr(lower_prefix.size()), plan.style_);
        if (!from) continue;
        const std::string& listed = *from;
        if (plan.named_secrets_.count(listed) || !plan.may_include(listed) || plan.surely_excluded(listed)) {
          continue;
        }
        named.held = true;
        std::string item;
        for (const auto& text : named.items) {
          if (text.find("=>") != std::string::npos) item = text;
        }
        plan.renames_.emplace(v, Rename{i, item.empty() ? named.ref.text() : item});
      }
    }
  }
  return plan;
}

std::vector<SecretRef> SecretPlan::before() const {
  std::vector<SecretRef> refs;
  for (const auto& n : named_) {
    if (!n.held) refs.push_back(n.ref);
  }
  return refs;
}

bool SecretPlan::take(const vault::ListedSecret& item) {
  const std::string_view name = item.name;
  const std::string key = ascii_lower(name);
  if (named_secrets_.count(key) || !included(item) || excluded(item)) return false;
  const std::string variable = variable_for(name);
  auto rename = renames_.find(ascii_lower(variable));
  if (rename == renames_.end()) return true;
  Named& named = named_[rename->second.named];
  named.conflicted = true;
  Conflict c;
  c.error.stage = Stage::emit;
  c.error.subject = named.ref.text();
  c.error.message = "Secrets '" + named.ref.text() + "' and '" + std::string(name) + "' would both set the variable '" +
                    variable + "': '" + rename->second.item +
                    (rename->second.item.find("=>") != std::string::npos ? "' renames the first"
                                                                         : "' names the first (VariableNameStyle)") +
                    ", and the filter also selects '" + std::string(name) + "' from the vault's list. Neither was set.";
  c.error.hint = "Rename one of them with '=> <variable>' in SecretsFilter, or leave one out with '!<name>'.";
  c.secrets = {named.ref.text(), std::string(name)};
  conflicts_.push_back(std::move(c));
  return false;
}

std::vector<SecretRef> SecretPlan::after() {
  std::vector<SecretRef> refs;
  for (const auto& n : named_) {
    if (n.held && !n.conflicted) refs.push_back(n.ref);
  }
  return refs;
}

Destination SecretPlan::destination(const SecretRef& ref) const {
  if (auto it = by_ref_.find(ascii_lower(ref.text())); it != by_ref_.end()) return named_[it->second].destination;
  Destination d;
  d.variables.push_back(variable_for(ref.name));
  if (!ref.version.empty()) d.variables.push_back(variable_for(ref.text()));
  return d;
}

Expected<SecretPlan> plan_of(const TaskConfig& config) {
  if (config.plan) return SecretPlan(*config.plan);
  return SecretPlan::make(config.selection, config.variable_prefix, config.variable_name_style);
}

vault::FetchSource fetch_source(SecretPlan& plan, std::mutex& lock,
                                std::function<void(const std::string& name)> not_taken) {
  vault::FetchSource source;
  source.list = plan.lists();
  source.before = plan.before();
  source.take = [&plan, &lock, not_taken = std::move(not_taken)](const vault::ListedSecret& item) {
    bool taken = false;
    {
      std::lock_guard guard(lock);
      taken = plan.take(item);
    }
    if (!taken && not_taken) not_taken(item.name);
    return taken;
  };
  source.after = [&plan, &lock] {
    std::lock_guard guard(lock);
    return plan.after();
  };
  return source;
}

}  // namespace fkv::agent

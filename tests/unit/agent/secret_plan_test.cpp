#include "agent/secret_plan.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <random>

#include "agent/selection.hpp"
#include "core/text.hpp"

using namespace fkv::agent;

namespace {

SecretPlan plan_of(const std::string& filter, const std::string& prefix = "") {
  auto selection = parse_secrets_filter(filter);
  REQUIRE(selection);
  auto plan = SecretPlan::make(*selection, prefix);
  REQUIRE(plan);
  return std::move(*plan);
}

std::string plan_error(const std::string& filter, const std::string& prefix = "") {
  auto selection = parse_secrets_filter(filter);
  REQUIRE(selection);
  auto plan = SecretPlan::make(*selection, prefix);
  REQUIRE_FALSE(plan);
  CHECK(plan.error().subject == "SecretsFilter");
  CHECK(plan.error().stage == fkv::Stage::config);
  return plan.error().message;
}

std::vector<std::string> texts(const std::vector<SecretRef>& refs) {
  std::vector<std::string> out;
  for (const auto& r : refs) out.push_back(r.text());
  return out;
}

// The listed names a plan takes, in list order.
std::vector<std::string> taken(SecretPlan& plan, const std::vector<std::string>& listed) {
  std::vector<std::string> out;
  for (const auto& name : listed) {
    if (plan.take(name)) out.push_back(name);
  }
  return out;
}

Destination dest(std::vector<std::string> variables, std::string file = "", std::string path_variable = "",
                 bool named = true) {
  return Destination{std::move(variables), std::move(file), std::move(path_variable), named};
}

}  // namespace

TEST_CASE("patterns and exclusions over a listed vault") {
  const std::vector<std::string> vault{"app-key", "App-Url", "db-1-password", "db-22-password", "legacy-app", "other"};
  struct Case {
    const char* filter;
    std::vector<std::string> taken;
  };
  const Case cases[] = {
      {"*", {"app-key", "App-Url", "db-1-password", "db-22-password", "legacy-app", "other"}},
      {"app-*", {"app-key", "App-Url"}},
      {"APP-*", {"app-key", "App-Url"}},
      {"db-?-password", {"db-1-password"}},
      {"app-*, db-*", {"app-key", "App-Url", "db-1-password", "db-22-password"}},
      {"*, !*-password", {"app-key", "App-Url", "legacy-app", "other"}},
      {"!*-password, !other", {"app-key", "App-Url", "legacy-app"}},
      {"!APP-URL", {"app-key", "db-1-password", "db-22-password", "legacy-app", "other"}},
      {"*app*, !legacy-*", {"app-key", "App-Url"}},
      {"app-*, other", {"app-key", "App-Url"}},  // 'other' is named: fetched by name, not from the list
  };
  for (const auto& c : cases) {
    CAPTURE(c.filter);
    SecretPlan plan = plan_of(c.filter);
    CHECK(plan.lists());
    CHECK(taken(plan, vault) == c.taken);
    CHECK(plan.conflicts().empty());
  }
}

TEST_CASE("named items: what is fetched before, during and after the listing") {
  SecretPlan literal = plan_of("a, b/v1, !b, c");
  CHECK_FALSE(literal.lists());
  CHECK(texts(literal.before()) == std::vector<std::string>{"a", "c"});  // an exclusion removes a named secret

  SecretPlan mixed = plan_of("app-*, app-cert => file:certs/app.pfx, db => DB, legacy => app-url");
  CHECK(texts(mixed.before()) == std::vector<std::string>{"app-cert", "db"});  // 'legacy' could collide: held
  CHECK(taken(mixed, {"app-cert", "app-key", "app-url", "db"}) == std::vector<std::string>{"app-key"});
  CHECK(texts(mixed.after()).empty());  // 'legacy => app-url' met the listed 'app-url'
  REQUIRE(mixed.conflicts().size() == 1);
  const Conflict& c = mixed.conflicts()[0];
  CHECK(c.secrets == std::vector<std::string>{"legacy", "app-url"});
  CHECK(c.error.stage == fkv::Stage::emit);
  CHECK(c.error.subject == "legacy");
  CHECK(c.error.message == "Secrets 'legacy' and 'app-url' would both set the variable 'app-url': 'legacy => "
                           "app-url' renames the first, and the filter also selects 'app-url' from the vault's "
                           "list. Neither was set.");
  CHECK(c.error.hint == "Rename one of them with '=> <variable>' in SecretsFilter, or leave one out with '!<name>'.");

  SecretPlan no_conflict = plan_of("app-*, legacy => app-url");
  CHECK(texts(no_conflict.before()).empty());
  CHECK(taken(no_conflict, {"app-key"}) == std::vector<std::string>{"app-key"});
  CHECK(texts(no_conflict.after()) == std::vector<std::string>{"legacy"});
  CHECK(no_conflict.conflicts().empty());

  // A rename no listed secret can produce is not held back.
  SecretPlan free = plan_of("app-*, legacy => LEGACY_VALUE, other => app-x", "kv.");
  CHECK(texts(free.before()) == std::vector<std::string>{"legacy", "other"});  // 'app-x' lacks the prefix 'kv.'
}

TEST_CASE("destinations: names, versions, renames, files, VariablePrefix") {
  SecretPlan plan = plan_of("a, b/v1, c => C_VAR, tls => file:certs/tls.pfx, d, d => D2, app-*", "kv.");
  CHECK(plan.destination({"a", ""}) == dest({"kv.a"}));
  CHECK(plan.destination({"A", ""}) == dest({"kv.a"}));  // case-insensitive lookup
  CHECK(plan.destination({"b", "v1"}) == dest({"kv.b", "kv.b/v1"}));
  CHECK(plan.destination({"c", ""}) == dest({"C_VAR"}));  // a rename is not prefixed
  CHECK(plan.destination({"tls", ""}) == dest({}, "certs/tls.pfx", "kv.tls"));
  CHECK(plan.destination({"d", ""}) == dest({"kv.d", "D2"}));
  CHECK(plan.destination({"app-key", ""}) == dest({"kv.app-key"}, "", "", false));  // listed only: not named
}

TEST_CASE("conflicts between named items are found before any network call, word for word") {
  struct Case {
    const char* filter;
    const char* prefix;
    const char* message;
  };
  const Case cases[] = {
      {"a => x, b => X", "",
       "SecretsFilter: 'a => x' and 'b => X' would both set the variable 'X' (variable names "
       "are compared without regard to case); give one of them another name with '=> "
       "<variable>'."},
      {"a, b => A", "",
       "SecretsFilter: 'a' and 'b => A' would both set the variable 'A' (variable names are compared "
       "without regard to case); give one of them another name with '=> <variable>'."},
      {"a, b => kv.a", "kv.",
       "SecretsFilter: 'a' and 'b => kv.a' would both set the variable 'kv.a' (variable "
       "names are compared without regard to case); give one of them another name with '=> "
       "<variable>'."},
      {"a, a => file:a.pem", "",
       "SecretsFilter: 'a' and 'a => file:a.pem' would both set the variable 'a' "
       "(variable names are compared without regard to case); give one of them another "
       "name with '=> <variable>'."},
      {"a => file:x.pem, b => file:X.PEM", "",
       "SecretsFilter: 'a => file:x.pem' and 'b => file:X.PEM' would both "
       "write the file 'X.PEM'; give each secret its own file."},
      {"a/v1 => file:one.pem, a/v2 => file:two.pem", "",
       "SecretsFilter: 'a/v1 => file:one.pem' and 'a/v2 => "
       "file:two.pem' would both set the variable 'a' (variable "
       "names are compared without regard to case); give one of "
       "them another name with '=> <variable>'."},
      // A certificate's file also sets '<path variable>.thumbprint' and '.notAfter' (issue 18).
      {"tls => file:tls.pfx, other => TLS.Thumbprint", "",
       "SecretsFilter: 'tls => file:tls.pfx' and 'other => TLS.Thumbprint' would both set the variable "
       "'TLS.Thumbprint' (variable names are compared without regard to case); give one of them another name "
       "with '=> <variable>'."},
      {"other => kv.tls.notafter, tls => file:tls.pem", "kv.",
       "SecretsFilter: 'other => kv.tls.notafter' and 'tls => file:tls.pem' would both set the variable "
       "'kv.tls.notAfter' (variable names are compared without regard to case); give one of them another name "
       "with '=> <variable>'."},
  };
  for (const auto& c : cases) {
    CAPTURE(c.filter);
    CHECK(plan_error(c.filter, c.prefix) == c.message);
  }
  // Not conflicts: the same secret's value twice under one name (AzureKeyVault@2 does this for 'a, a/v'),
  // duplicate items, and a secret renamed to its own name.
  for (const char* ok : {"a, a/0123", "a, A", "a => x, a => X", "a => a", "tls => file:t.pem, TLS => file:t.pem"}) {
    CAPTURE(ok);
    plan_of(ok);
  }
}

// The reference: the parser before issue 11 (comma-separated, trimmed, '*' alone or names/versions,
// case-insensitive duplicates dropped) and its variables (name, and name/version for a version).
namespace legacy {

struct Result {
  bool all = true;
  std::vector<SecretRef> names;
};

Result parse(const std::string& filter) {
  std::vector<std::string> items;
  std::size_t pos = 0;
  while (true) {
    const auto comma = filter.find(',', pos);
    std::string item(
        fkv::trim(std::string_view(filter).substr(pos, comma == std::string::npos ? std::string::npos : comma - pos)));
    if (!item.empty()) items.push_back(item);
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  Result r;
  if (items.empty() || (items.size() == 1 && items[0] == "*")) return r;
  r.all = false;
  std::vector<std::string> seen;
  for (const auto& item : items) {
    const auto slash = item.find('/');
    SecretRef ref{item.substr(0, slash), slash == std::string::npos ? "" : item.substr(slash + 1)};
    const std::string key = fkv::ascii_lower(ref.text());
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
    seen.push_back(key);
    r.names.push_back(ref);
  }
  return r;
}

std::vector<std::string> variables(const SecretRef& ref) {
  std::vector<std::string> v{ref.name};
  if (!ref.version.empty()) v.push_back(ref.text());
  return v;
}

}  // namespace legacy

TEST_CASE("property: every filter AzureKeyVault@2 accepts gives today's selection and variables") {
  // AzureKeyVault@2 accepts '*' alone, or a comma-separated list of names and name/version items (white space
  // around items, empty items). A fixed seed and a fixed count: deterministic and bounded.
  std::mt19937 random(20261202);
  const std::string name_chars = "abcXYZ019-";
  const std::string version_chars = "0123456789abcdefABC";
  auto pick = [&](const std::string& from, std::size_t lo, std::size_t hi) {
    std::string out(std::uniform_int_distribution<std::size_t>(lo, hi)(random), ' ');
    for (char& c : out) c = from[std::uniform_int_distribution<std::size_t>(0, from.size() - 1)(random)];
    return out;
  };
  const char* spaces[] = {"", " ", "  ", "\t"};
  for (int round = 0; round < 2000; ++round) {
    std::string filter;
    const int kind = round % 10;
    if (kind == 0) {
      filter = std::string(spaces[round % 4]) + "*" + spaces[(round / 4) % 4] + (round % 3 == 0 ? "," : "");
    } else {
      const int count = 1 + static_cast<int>(random() % 6);
      for (int i = 0; i < count; ++i) {
        if (i > 0) filter += ",";
        filter += spaces[random() % 4];
        if (random() % 8 == 0) continue;  // an empty item
        std::string name = pick(name_chars, 1, 12);
        if (random() % 5 == 0 && i > 0) name = fkv::ascii_lower(name);  // case variants of earlier names
        filter += name;
        if (random() % 3 == 0) filter += "/" + pick(version_chars, 1, 32);
        filter += spaces[random() % 4];
      }
    }
    CAPTURE(filter);
    const legacy::Result expected = legacy::parse(filter);
    auto selection = parse_secrets_filter(filter);
    REQUIRE(selection);
    CHECK(selection->all == expected.all);
    CHECK(selection->names == expected.names);
    auto plan = SecretPlan::make(*selection, "");
    REQUIRE(plan);
    CHECK(plan->lists() == expected.all);
    if (expected.all) {
      CHECK(plan->before().empty());
      for (const char* listed : {"db-password", "App-Key", "x"}) {
        CHECK(plan->take(listed));
        CHECK(plan->destination({listed, ""}).variables == std::vector<std::string>{listed});
      }
      CHECK(plan->after().empty());
    } else {
      CHECK(plan->before() == expected.names);
      for (const auto& ref : expected.names) CHECK(plan->destination(ref).variables == legacy::variables(ref));
    }
    CHECK(plan->conflicts().empty());
  }
}

TEST_CASE("selectors pick listed secrets by their tags and content type; exclusions too (issue 19)") {
  using fkv::vault::ListedSecret;
  const std::vector<ListedSecret> vault{
      {"app-db", "text/plain", {{"env", "prod"}, {"team", "payments"}}, std::nullopt},
      {"app-url", "", {{"env", "dev"}}, std::nullopt},
      {"tls-cert", "application/x-pkcs12", {{"env", "prod"}}, std::nullopt},
      {"legacy", "", {{"deprecated", "yes"}}, std::nullopt},
  };
  struct Case {
    const char* filter;
    std::vector<std::string> taken;
  };
  const Case cases[] = {
      {"tag:env=prod", {"app-db", "tls-cert"}},
      {"app-* & tag:env=prod", {"app-db"}},
      {"type:application/x-pkcs12", {"tls-cert"}},
      {"!tag:deprecated", {"app-db", "app-url", "tls-cert"}},
      {"*, !tag:env=prod", {"app-url", "legacy"}},
      {"tag:env, !type:application/*", {"app-db", "app-url"}},
      {"tag:team=pay*, tag:deprecated", {"app-db", "legacy"}},
  };
  for (const auto& c : cases) {
    CAPTURE(c.filter);
    SecretPlan plan = plan_of(c.filter);
    CHECK(plan.lists());
    std::vector<std::string> out;
    for (const auto& item : vault) {
      if (plan.take(item)) out.push_back(item.name);
    }
    CHECK(out == c.taken);
  }
  // A named secret stays named (fetched directly); a tag exclusion cannot know its tags and leaves it alone,
  // while a plain exclusion still removes it.
  SecretPlan named = plan_of("db-password, !tag:env=dev");
  CHECK(texts(named.before()) == std::vector<std::string>{"db-password"});
  SecretPlan excluded = plan_of("db-password, !db-*");
  CHECK(excluded.before().empty());
}

TEST_CASE("VariableNameStyle: the variables taken from secret names, renames untouched, prefix as given (issue 19)") {
  auto plan_with = [](const std::string& filter, const std::string& prefix, NameStyle style) {
    auto selection = parse_secrets_filter(filter);
    REQUIRE(selection);
    auto plan = SecretPlan::make(*selection, prefix, style);
    REQUIRE(plan);
    return std::move(*plan);
  };
  SecretPlan env = plan_with("db-password, api-key/abc123, legacy => Old.Name, tls => file:t.pfx, app-*", "kv.",
                             NameStyle::env);
  CHECK(env.destination({"db-password", ""}).variables == std::vector<std::string>{"kv.DB_PASSWORD"});
  CHECK(env.destination({"api-key", "abc123"}).variables ==
        std::vector<std::string>{"kv.API_KEY", "kv.API_KEY_ABC123"});
  CHECK(env.destination({"legacy", ""}).variables == std::vector<std::string>{"Old.Name"});
  CHECK(env.destination({"tls", ""}).path_variable == "kv.TLS");
  CHECK(env.take("app-Url"));
  CHECK(env.destination({"app-Url", ""}).variables == std::vector<std::string>{"kv.APP_URL"});

  SecretPlan dotnet = plan_with("ConnectionStrings--Default, a---b, *", "", NameStyle::dotnet);
  CHECK(dotnet.destination({"ConnectionStrings--Default", ""}).variables ==
        std::vector<std::string>{"ConnectionStrings.Default"});
  CHECK(dotnet.destination({"a---b", ""}).variables == std::vector<std::string>{"a.-b"});
  CHECK(dotnet.destination({"Logging--LogLevel--Default", ""}).variables ==
        std::vector<std::string>{"Logging.LogLevel.Default"});

  SecretPlan secret = plan_with("db-password", "", NameStyle::secret);
  CHECK(secret.destination({"db-password", ""}).variables == std::vector<std::string>{"db-password"});
}

TEST_CASE("VariableNameStyle conflicts: named ones before any request, listed ones before either value (issue 19)") {
  auto make = [](const std::string& filter, NameStyle style) {
    auto selection = parse_secrets_filter(filter);
    REQUIRE(selection);
    return SecretPlan::make(*selection, "", style);
  };
  auto named = make("db/abc, db-abc", NameStyle::env);
  REQUIRE_FALSE(named);
  CHECK(named.error().message ==
        "SecretsFilter: 'db/abc' and 'db-abc' would both set the variable 'DB_ABC' (variable names are compared "
        "without regard to case); give one of them another name with '=> <variable>'.");
  auto renamed = make("x => A_B, a-b", NameStyle::env);
  REQUIRE_FALSE(renamed);
  CHECK(make("x => a.b, a--b", NameStyle::dotnet).has_value() == false);
  CHECK(make("db/abc, db-abc", NameStyle::secret).has_value());

  // A listed secret whose styled name a named item also sets: held back, both left out, both named.
  auto listed = make("db/abc, db-*", NameStyle::env);
  REQUIRE(listed);
  CHECK(listed->before().empty());
  CHECK_FALSE(listed->take("db-abc"));
  CHECK(listed->take("db-other"));
  CHECK(listed->after().empty());
  REQUIRE(listed->conflicts().size() == 1);
  CHECK(listed->conflicts()[0].secrets == std::vector<std::string>{"db/abc", "db-abc"});
  CHECK(listed->conflicts()[0].error.message ==
        "Secrets 'db/abc' and 'db-abc' would both set the variable 'DB_ABC': 'db/abc' names the first "
        "(VariableNameStyle), and the filter also selects 'db-abc' from the vault's list. Neither was set.");
  // Without such a listed secret the held-back item is fetched after the listing.
  auto quiet = make("db/abc, db-*", NameStyle::env);
  REQUIRE(quiet);
  CHECK(quiet->take("db-other"));
  CHECK(texts(quiet->after()) == std::vector<std::string>{"db/abc"});
}

TEST_CASE("name styles: styled_name, unstyled_secret_name and environment_name (issue 19)") {
  CHECK(styled_name("db-password", NameStyle::env) == "DB_PASSWORD");
  CHECK(styled_name("app-config.user", NameStyle::env) == "APP_CONFIG_USER");
  CHECK(styled_name("db/4387e9f3", NameStyle::env) == "DB_4387E9F3");
  CHECK(styled_name("ConnectionStrings--Default", NameStyle::dotnet) == "ConnectionStrings.Default");
  CHECK(styled_name("a----b-c", NameStyle::dotnet) == "a..b-c");
  CHECK(styled_name("Any-Name", NameStyle::secret) == "Any-Name");
  CHECK(unstyled_secret_name("DB_PASSWORD", NameStyle::env) == "db-password");
  CHECK(unstyled_secret_name("db_password", NameStyle::env) == "db-password");
  CHECK(unstyled_secret_name("a.b", NameStyle::dotnet) == "a--b");
  CHECK(unstyled_secret_name("a-.b", NameStyle::dotnet) == std::nullopt);
  CHECK(unstyled_secret_name("a.b", NameStyle::env) == std::nullopt);
  CHECK(unstyled_secret_name("db-password", NameStyle::secret) == "db-password");
  CHECK(environment_name("kv.db-password") == "KV_DB_PASSWORD");
  CHECK(environment_name("1st") == "_1ST");
}

TEST_CASE("=> json: the destination is the fields' prefix; variables under it from other items conflict") {
  const SecretPlan plan = plan_of("svc => json, other", "kv.");
  const Destination d = plan.destination({"svc", ""});
  CHECK(d.json);
  CHECK(d.variables == std::vector<std::string>{"kv.svc"});
  CHECK_FALSE(plan.destination({"other", ""}).json);
  CHECK(plan_error("svc => json, other => SVC.user") ==
        "SecretsFilter: 'svc => json' and 'other => SVC.user' could both set the variable 'SVC.user' ('svc => json' "
        "sets a variable 'svc.<field>' per JSON field); give one of them another name with '=> <variable>'.");
  CHECK_FALSE(plan_error("a => json, x => a.b.c").empty());
  // 'a.' and 'a-b.' do not overlap; a secret name holds no '.', so listed secrets never do.
  CHECK(plan_of("a => json, a-b => json, *").destination({"a-b", ""}).json);
}

TEST_CASE(
    "=> json with VariableNameStyle env: the styled name, and its fields' prefix, conflict as in the secret style") {
  auto selection = parse_secrets_filter("app-config => json, other => APP_CONFIG_USER");
  REQUIRE(selection);
  auto plan = SecretPlan::make(*selection, "", NameStyle::env);
  REQUIRE_FALSE(plan);
  CHECK(plan.error().message.find("'app-config => json' and 'other => APP_CONFIG_USER' could both set the variable "
                                  "'APP_CONFIG_USER'") != std::string::npos);
  auto quiet = parse_secrets_filter("app-config => json");
  REQUIRE(quiet);
  auto ok = SecretPlan::make(*quiet, "kv.", NameStyle::env);
  REQUIRE(ok);
  CHECK(ok->destination({"app-config", ""}).variables == std::vector<std::string>{"kv.APP_CONFIG"});
}

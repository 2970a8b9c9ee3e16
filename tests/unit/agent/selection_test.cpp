#include "agent/selection.hpp"

#include <doctest/doctest.h>

using namespace fkv::agent;

namespace {
std::vector<std::string> texts(const Selection& s) {
  std::vector<std::string> out;
  for (const auto& r : s.names) out.push_back(r.text());
  return out;
}
}  // namespace

TEST_CASE("'*' alone, blank or empty filter selects all") {
  for (const char* f : {"*", " * ", "", " , ", "*,", ", *"}) {
    CAPTURE(f);
    auto s = parse_secrets_filter(f);
    REQUIRE(s);
    CHECK(s->all);
    CHECK(s->names.empty());
  }
}

TEST_CASE("names are trimmed, empties dropped, duplicates removed (first kept), order kept") {
  auto s = parse_secrets_filter(" b , a,,b, C ,c , a/0123abcd ");
  REQUIRE(s);
  CHECK_FALSE(s->all);
  CHECK(texts(*s) == std::vector<std::string>{"b", "a", "C", "a/0123abcd"});
  CHECK(s->names[3] == SecretRef{"a", "0123abcd"});
}

TEST_CASE("name/version") {
  auto s = parse_secrets_filter("db-password/4387e9f3d6e14c459867679a90fd0f79");
  REQUIRE(s);
  REQUIRE(s->names.size() == 1);
  CHECK(s->names[0].name == "db-password");
  CHECK(s->names[0].version == "4387e9f3d6e14c459867679a90fd0f79");
}

TEST_CASE("invalid items: one error naming the item and what to write instead, word for word") {
  struct Case {
    const char* filter;
    const char* message;
  };
  const Case cases[] = {
      {"my_secret", "SecretsFilter: 'my_secret' is not a secret name: names are 1-127 characters of 0-9, a-z, A-Z "
                    "and '-' (patterns may also hold '*' and '?')."},
      {"a b", "SecretsFilter: 'a b' is not a secret name: names are 1-127 characters of 0-9, a-z, A-Z and '-' "
              "(patterns may also hold '*' and '?')."},
      {"app_*", "SecretsFilter: 'app_*' is not a secret name: names are 1-127 characters of 0-9, a-z, A-Z and '-' "
                "(patterns may also hold '*' and '?')."},
      {"/v1", "SecretsFilter: '/v1' is not a secret name: names are 1-127 characters of 0-9, a-z, A-Z and '-' "
              "(patterns may also hold '*' and '?')."},
      {"a/", "SecretsFilter: 'a/' has an invalid version: a version is 1-64 letters and digits (Key Vault uses 32 "
             "hexadecimal characters)."},
      {"a/b/c", "SecretsFilter: 'a/b/c' has an invalid version: a version is 1-64 letters and digits (Key Vault "
                "uses 32 hexadecimal characters)."},
      {"app-*/abc", "SecretsFilter: 'app-*/abc' gives a version to a pattern; a version can follow only a secret "
                    "name, e.g. 'db-password/<version>'."},
      {"app-* => APP", "SecretsFilter: 'app-* => APP' renames a pattern; '=> <variable>' can follow only a secret "
                       "name (use VariablePrefix to prefix the variables a pattern sets)."},
      {"* => x", "SecretsFilter: '* => x' renames a pattern; '=> <variable>' can follow only a secret name (use "
                 "VariablePrefix to prefix the variables a pattern sets)."},
      {"cert-? => file:c.pfx", "SecretsFilter: 'cert-? => file:c.pfx' writes a pattern to a file; '=> file:' can "
                               "follow only a secret name: add one item per secret, e.g. 'tls-cert => "
                               "file:certs/tls.pfx'."},
      {"!a => b", "SecretsFilter: '!a => b' is an exclusion with a target; an exclusion only leaves secrets out, so "
                  "write '!a'."},
      {"!", "SecretsFilter: '!' excludes nothing; write '!<name>' or '!<pattern>'."},
      {"!a_b", "SecretsFilter: '!a_b' does not exclude a secret name or pattern: names are 1-127 characters of 0-9, "
               "a-z, A-Z and '-', and patterns may also hold '*' and '?'."},
      {"!a/v1", "SecretsFilter: '!a/v1' does not exclude a secret name or pattern: names are 1-127 characters of "
                "0-9, a-z, A-Z and '-', and patterns may also hold '*' and '?'."},
      {"a =>", "SecretsFilter: 'a =>' has nothing after '=>'; write '=> <variable>' or '=> file:<relative path>'."},
      {"a => my var", "SecretsFilter: 'a => my var' renames to 'my var', which is not a variable name: use 1-255 "
                      "characters of 0-9, a-z, A-Z, '.', '_' and '-'."},
      {"a => x;y", "SecretsFilter: 'a => x;y' renames to 'x;y', which is not a variable name: use 1-255 characters "
                   "of 0-9, a-z, A-Z, '.', '_' and '-'."},
      {"a => PATH", "SecretsFilter: 'a => PATH' renames to 'PATH', which the agent reserves (PATH and names starting "
                    "with system., agent., build., release. or pipeline. are read-only); choose another name."},
      {"a => System.AccessToken", "SecretsFilter: 'a => System.AccessToken' renames to 'System.AccessToken', which "
                                  "the agent reserves (PATH and names starting with system., agent., build., "
                                  "release. or pipeline. are read-only); choose another name."},
      {"a => file:", "SecretsFilter: 'a => file:' has no file path after 'file:'; write e.g. 'file:certs/tls.pfx'."},
      {"a => file:/etc/passwd", "SecretsFilter: 'a => file:/etc/passwd' has an absolute file path; write a path "
                                "relative to $(Agent.TempDirectory), e.g. 'file:certs/tls.pfx'."},
      {"a => file:C:/x.pfx", "SecretsFilter: 'a => file:C:/x.pfx' has an absolute file path; write a path relative "
                             "to $(Agent.TempDirectory), e.g. 'file:certs/tls.pfx'."},
      {"a => file:\\\\server\\x", "SecretsFilter: 'a => file:\\\\server\\x' has an absolute file path; write a "
                                  "path relative to $(Agent.TempDirectory), e.g. 'file:certs/tls.pfx'."},
      {"a => file:../x.pfx", "SecretsFilter: 'a => file:../x.pfx' has '..' in its file path; the file must stay "
                             "under $(Agent.TempDirectory), e.g. 'file:certs/tls.pfx'."},
      {"a => file:certs/../../x", "SecretsFilter: 'a => file:certs/../../x' has '..' in its file path; the file "
                                  "must stay under $(Agent.TempDirectory), e.g. 'file:certs/tls.pfx'."},
      {"a => file:certs//x", "SecretsFilter: 'a => file:certs//x' has an invalid file path: use folder and file "
                             "names of 0-9, a-z, A-Z, '.', '_' and '-' separated by '/', e.g. "
                             "'file:certs/tls.pfx'."},
      {"a => file:certs/", "SecretsFilter: 'a => file:certs/' has an invalid file path: use folder and file names "
                           "of 0-9, a-z, A-Z, '.', '_' and '-' separated by '/', e.g. 'file:certs/tls.pfx'."},
      {"a => file:my cert.pfx", "SecretsFilter: 'a => file:my cert.pfx' has an invalid file path: use folder and "
                                "file names of 0-9, a-z, A-Z, '.', '_' and '-' separated by '/', e.g. "
                                "'file:certs/tls.pfx'."},
      {"a => file:certs\\x.pfx", "SecretsFilter: 'a => file:certs\\x.pfx' has an invalid file path: use folder and "
                                 "file names of 0-9, a-z, A-Z, '.', '_' and '-' separated by '/', e.g. "
                                 "'file:certs/tls.pfx'."},
      {"a => file:./x", "SecretsFilter: 'a => file:./x' has an invalid file path: use folder and file names of 0-9, "
                        "a-z, A-Z, '.', '_' and '-' separated by '/', e.g. 'file:certs/tls.pfx'."},
  };
  for (const auto& c : cases) {
    CAPTURE(c.filter);
    auto s = parse_secrets_filter(c.filter);
    REQUIRE_FALSE(s);
    CHECK(s.error().message == c.message);
    CHECK(s.error().subject == "SecretsFilter");
    CHECK(s.error().stage == fkv::Stage::config);
    CHECK(s.error().hint ==
          "Use '*' for all secrets, or a list of items separated by commas or new lines: secret names (optionally "
          "/<version>), patterns with '*' and '?', exclusions '!<name or pattern>', and '<name> => <variable>', "
          "'<name> => file:<relative path>' and '<name> => json' targets.");
  }
}

TEST_CASE("items are separated by commas and/or line breaks (a YAML block, CRLF too)") {
  for (const char* f : {"a,b,c", "a\nb\nc\n", "  a\r\n  b ,\r\n\r\n c  ", "a, b\nc"}) {
    CAPTURE(f);
    auto s = parse_secrets_filter(f);
    REQUIRE(s);
    CHECK_FALSE(s->all);
    CHECK(texts(*s) == std::vector<std::string>{"a", "b", "c"});
  }
}

TEST_CASE("patterns, exclusions and targets: the kinds, and whether the vault is listed") {
  struct Case {
    const char* filter;
    bool listed;
    std::vector<std::string> names;  // the literal secrets
  };
  const Case cases[] = {
      {"app-*", true, {}},
      {"db-?-password, extra", true, {"extra"}},
      {"*, !legacy-*", true, {}},
      {"!legacy-*", true, {}},
      {"!a, !b", true, {}},
      {"a, !b", false, {"a"}},
      {"a => A_VAR, b/v1 => file:x/b.pem", false, {"a", "b/v1"}},
      {"a, a => other", false, {"a"}},
      {"*, a", true, {"a"}},
  };
  for (const auto& c : cases) {
    CAPTURE(c.filter);
    auto s = parse_secrets_filter(c.filter);
    REQUIRE(s);
    CHECK(s->all == c.listed);
    CHECK(texts(*s) == c.names);
  }
  auto s = parse_secrets_filter("app-* , !app-old, tls => file:certs/tls.pfx, db/0a1b => DB_PASSWORD");
  REQUIRE(s);
  REQUIRE(s->items.size() == 4);
  CHECK(s->items[0] == FilterItem{FilterItem::Kind::glob, "app-*", {"app-*", ""}, "", "", {}});
  CHECK(s->items[1] == FilterItem{FilterItem::Kind::exclude, "!app-old", {"app-old", ""}, "", "", {}});
  CHECK(s->items[2] ==
        FilterItem{FilterItem::Kind::name, "tls => file:certs/tls.pfx", {"tls", ""}, "", "certs/tls.pfx", {}});
  CHECK(s->items[3] ==
        FilterItem{FilterItem::Kind::name, "db/0a1b => DB_PASSWORD", {"db", "0a1b"}, "DB_PASSWORD", "", {}});
}

TEST_CASE("glob_match: '*' any run, '?' one character, case-insensitive, whole name") {
  struct Case {
    const char* glob;
    const char* name;
    bool match;
  };
  const Case cases[] = {
      {"*", "anything", true},
      {"app-*", "app-key", true},
      {"app-*", "APP-KEY", true},
      {"App-*", "app-", true},
      {"app-*", "app", false},
      {"app-*", "my-app-key", false},
      {"*-key", "app-key", true},
      {"*-key", "app-key2", false},
      {"db-?-password", "db-1-password", true},
      {"db-?-password", "db--password", false},
      {"db-?-password", "db-12-password", false},
      {"a*b*c", "aXXbYYc", true},
      {"a*b*c", "aXXbYY", false},
      {"*a*", "bab", true},
      {"??", "ab", true},
      {"??", "a", false},
      {"a**", "a", true},
      {"*x*y*z*", "xxyyzz", true},
      {"*x*y*z*", "zyx", false},
  };
  for (const auto& c : cases) {
    CAPTURE(c.glob);
    CAPTURE(c.name);
    CHECK(glob_match(c.glob, c.name) == c.match);
  }
  // A pathological pattern ends quickly (one backtrack point): bounded work, asserted by the result only.
  CHECK_FALSE(glob_match("*a*a*a*a*a*a*a*a*b", std::string(127, 'a')));
}

TEST_CASE("name length bounds") {
  CHECK(is_secret_name(std::string(127, 'a')));
  CHECK_FALSE(is_secret_name(std::string(128, 'a')));
  CHECK_FALSE(is_secret_name(""));
  CHECK(is_secret_version(std::string(64, 'f')));
  CHECK_FALSE(is_secret_version(std::string(65, 'f')));
}

TEST_CASE("selectors: tag:, type:, '&' and exclusions parse into one item each, and list the vault (issue 19)") {
  using fkv::vault::Selector;
  auto s = parse_secrets_filter("app-* & tag:env=prod, tag:team, type:text/* & tag:owner=, !tag:env = dev*");
  REQUIRE(s);
  CHECK(s->all);
  CHECK(s->names.empty());
  REQUIRE(s->items.size() == 4);
  CHECK(s->items[0].kind == FilterItem::Kind::glob);
  CHECK(s->items[0].ref.name == "app-*");
  CHECK(s->items[0].selectors == std::vector<Selector>{{Selector::Kind::tag, "env", "prod", true}});
  CHECK(s->items[1].ref.name == "*");
  CHECK(s->items[1].selectors == std::vector<Selector>{{Selector::Kind::tag, "team", "", false}});
  CHECK(s->items[2].selectors ==
        std::vector<Selector>{{Selector::Kind::type, "text/*", "", false}, {Selector::Kind::tag, "owner", "", true}});
  CHECK(s->items[3].kind == FilterItem::Kind::exclude);
  CHECK(s->items[3].text == "!tag:env = dev*");
  CHECK(s->items[3].selectors == std::vector<Selector>{{Selector::Kind::tag, "env", "dev*", true}});

  // A plain name joined with a selector is matched against the list, not fetched by name.
  auto named = parse_secrets_filter("db-password & tag:env=prod");
  REQUIRE(named);
  CHECK(named->all);
  CHECK(named->names.empty());
  CHECK(named->items[0].kind == FilterItem::Kind::glob);

  // Only exclusions with selectors: everything else.
  auto only = parse_secrets_filter("!type:application/x-pkcs12");
  REQUIRE(only);
  CHECK(only->all);
}

TEST_CASE("selectors: invalid items, word for word (issue 19)") {
  struct Case {
    const char* filter;
    const char* message;
  };
  const Case cases[] = {
      {"tag:", "SecretsFilter: 'tag:' has no tag name in 'tag:'; write e.g. 'tag:env=prod'."},
      {"tag:=prod", "SecretsFilter: 'tag:=prod' has no tag name in 'tag:=prod'; write e.g. 'tag:env=prod'."},
      {"tag:en*=prod", "SecretsFilter: 'tag:en*=prod' has a wildcard in the tag name of 'tag:en*=prod'; tag names "
                       "take no '*' or '?' (only values do), e.g. 'tag:env=prod*'."},
      {"tag:a/b", "SecretsFilter: 'tag:a/b' has an invalid tag name in 'tag:a/b': Key Vault tag names are up to 512 "
                  "characters without '<', '>', '%', '\\', '/' or control characters."},
      {"type:", "SecretsFilter: 'type:' has no content type after 'type:'; write e.g. 'type:application/x-pkcs12' "
                "or 'type:text/*'."},
      {"app-* &", "SecretsFilter: 'app-* &' has an empty part around '&'; write e.g. 'app-* & tag:env=prod'."},
      {"app-* & db-*", "SecretsFilter: 'app-* & db-*' has two names or patterns; join one name or pattern with "
                       "'tag:' and 'type:' selectors, e.g. 'app-* & tag:env=prod'."},
      {"db/abc & tag:x", "SecretsFilter: 'db/abc & tag:x' gives a version in 'db/abc'; items with 'tag:', 'type:' "
                         "or '&' select among the latest versions listed, so write the name alone."},
      {"app_x & tag:x", "SecretsFilter: 'app_x & tag:x' has 'app_x', which is neither a secret name or pattern nor "
                        "a 'tag:' or 'type:' selector."},
      {"tag:env=prod => ENV", "SecretsFilter: 'tag:env=prod => ENV' selects by tag or content type and has a target; "
                              "'=> <variable>' and '=> file:' can follow only a secret name (use VariablePrefix or "
                              "VariableNameStyle for the variables it sets)."},
      {"!type:x => file:a", "SecretsFilter: '!type:x => file:a' selects by tag or content type and has a target; "
                            "'=> <variable>' and '=> file:' can follow only a secret name (use VariablePrefix or "
                            "VariableNameStyle for the variables it sets)."},
  };
  for (const auto& c : cases) {
    CAPTURE(c.filter);
    auto s = parse_secrets_filter(c.filter);
    REQUIRE_FALSE(s);
    CHECK(s.error().subject == "SecretsFilter");
    CHECK(s.error().message == c.message);
  }
}

TEST_CASE("matches: names, tags (name case-insensitive, value case-sensitive), content types (issue 19)") {
  using fkv::vault::ListedSecret;
  const ListedSecret item{"App-Db", "Text/Plain; charset=utf-8", {{"Env", "Prod"}, {"owner", ""}}, std::nullopt};
  struct Case {
    const char* filter;
    bool match;
  };
  const Case cases[] = {
      {"tag:env", true},
      {"tag:ENV=Prod", true},
      {"tag:env=prod", false},  // values are case-sensitive
      {"tag:env=P*", true},
      {"tag:env=Pro?", true},
      {"tag:env=", false},
      {"tag:owner=", true},
      {"tag:owner", true},
      {"tag:team", false},
      {"type:text/plain; charset=UTF-8", true},
      {"type:text/plain", false},  // the whole string, parameters included
      {"type:text/*", true},
      {"type:text/plai?; charset=utf-8", false},  // '?' is not a wildcard in content types
      {"app-* & tag:env=Prod & type:text/*", true},
      {"app-* & tag:env=Prod & type:application/*", false},
      {"db-* & tag:env", false},
      {"app-db & tag:env", true},
  };
  for (const auto& c : cases) {
    CAPTURE(c.filter);
    auto s = parse_secrets_filter(c.filter);
    REQUIRE(s);
    REQUIRE(s->items.size() == 1);
    CHECK(matches(s->items[0].ref.name, s->items[0].selectors, item) == c.match);
  }
  // No content type at all matches no type: selector, not even '*'.
  CHECK_FALSE(matches("*", {{fkv::vault::Selector::Kind::type, "*", "", false}}, ListedSecret{"a", "", {}, {}}));
}

TEST_CASE("'=> json' marks a named item for JSON expansion (issue 18)") {
  auto selection = parse_secrets_filter("svc => json, db/abc123 => json, other => jsonish");
  REQUIRE(selection);
  REQUIRE(selection->items.size() == 3);
  CHECK(selection->items[0].json);
  CHECK(selection->items[0].variable.empty());
  CHECK(selection->items[1].json);
  CHECK(selection->items[1].ref.version == "abc123");
  CHECK_FALSE(selection->items[2].json);
  CHECK(selection->items[2].variable == "jsonish");
  CHECK_FALSE(parse_secrets_filter("app-* => json"));
  CHECK_FALSE(parse_secrets_filter("!svc => json"));
}

#include "vault/kv_json.hpp"

#include <doctest/doctest.h>

#include <limits>

#include "kv_examples.hpp"

using namespace fkv::vault;

TEST_CASE("list page from the REST spec example") {
  auto page = parse_list_page(fkv::test::kv_example("get-secrets-page.json").body);
  REQUIRE(page);
  REQUIRE(page->items.size() == 1);
  CHECK(page->items[0].id == "https://myvault.vault.azure.net/secrets/listsecrettest0");
  CHECK(page->items[0].attributes.enabled == true);
  CHECK_FALSE(page->items[0].attributes.exp);
  REQUIRE(page->next_link);
  CHECK(page->next_link->rfind("https://myvault.vault.azure.net:443/secrets?api-version=7.2&$skiptoken=", 0) == 0);
  CHECK(secret_name_from_id(page->items[0].id) == "listsecrettest0");
}

TEST_CASE("list page quirks: empty, null value, null/empty nextLink, attributes") {
  auto empty = parse_list_page(R"({"value":[],"nextLink":"https://v.vault.azure.net/secrets?x=1"})");
  REQUIRE(empty);
  CHECK(empty->items.empty());
  CHECK(empty->next_link == "https://v.vault.azure.net/secrets?x=1");
  auto null_value = parse_list_page(R"({"value":null,"nextLink":null})");
  REQUIRE(null_value);
  CHECK(null_value->items.empty());
  CHECK_FALSE(null_value->next_link);
  CHECK_FALSE(parse_list_page(R"({"nextLink":""})")->next_link);
  auto attrs = parse_list_page(
      R"({"value":[{"id":"https://v/secrets/a","attributes":{"enabled":false,"nbf":10,"exp":20},"managed":true},7]})");
  REQUIRE(attrs);
  REQUIRE(attrs->items.size() == 1);
  CHECK(attrs->items[0].attributes.enabled == false);
  CHECK(attrs->items[0].attributes.nbf == 10);
  CHECK(attrs->items[0].attributes.exp == 20);
  CHECK(attrs->items[0].managed);
  CHECK_FALSE(parse_list_page("<html>"));
  CHECK_FALSE(parse_list_page(R"({"value":{}})"));
  CHECK(parse_list_page("<html>").error().message == "Key Vault returned a secret list that is not JSON.");
}

// Found by tests/fuzz/kv_list_page_fuzz.cpp and kv_secret_bundle_fuzz.cpp: exp/nbf such as 1e300 or
// 2^64-1 were converted to int64 (undefined behaviour); outside int64 they now saturate (core/numbers.hpp),
// so a far-future exp stays unexpired and a far-past nbf stays valid.
TEST_CASE("attribute times outside int64 saturate, fractions are truncated") {
  auto page = parse_list_page(
      R"({"value":[{"id":"https://v/secrets/a","attributes":{"exp":18446744073709551615,"nbf":-1e300}},)"
      R"({"id":"https://v/secrets/b","attributes":{"exp":1700000000.7,"nbf":1e18}}]})");
  REQUIRE(page);
  REQUIRE(page->items.size() == 2);
  CHECK(page->items[0].attributes.exp == std::numeric_limits<std::int64_t>::max());
  CHECK(page->items[0].attributes.nbf == std::numeric_limits<std::int64_t>::min());
  CHECK(page->items[1].attributes.exp == 1700000000);
  CHECK(page->items[1].attributes.nbf == 1000000000000000000);
  auto bundle = parse_secret_bundle(R"({"value":"v","attributes":{"exp":1e300,"nbf":-9.3e18}})");
  REQUIRE(bundle);
  CHECK(bundle->attributes.exp == std::numeric_limits<std::int64_t>::max());
  CHECK(bundle->attributes.nbf == std::numeric_limits<std::int64_t>::min());
}

TEST_CASE("secret bundle from the REST spec example") {
  auto b = parse_secret_bundle(fkv::test::kv_example("get-secret.json").body);
  REQUIRE(b);
  CHECK(b->value == "mysecretvalue");
  CHECK(b->id == "https://myvault.vault.azure.net/secrets/mysecretname/4387e9f3d6e14c459867679a90fd0f79");
  CHECK(b->attributes.enabled == true);
  auto missing = parse_secret_bundle(R"({"id":"x"})");
  REQUIRE(missing);
  CHECK(missing->value.empty());
  CHECK(missing->content_type.empty());
  auto pfx = parse_secret_bundle(R"({"value":"MIIK","contentType":"application/x-pkcs12"})");
  REQUIRE(pfx);
  CHECK(pfx->content_type == "application/x-pkcs12");
  auto odd = parse_secret_bundle(R"({"value":"v","contentType":7})");
  REQUIRE(odd);
  CHECK(odd->content_type.empty());
  auto bad = parse_secret_bundle(R"({"value":12})");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message == "Key Vault returned a secret whose value is not a string.");
}

TEST_CASE("Key Vault errors from the examples") {
  auto rbac = parse_kv_error(fkv::test::kv_example("error-403-forbidden-by-rbac.json").body);
  REQUIRE(rbac);
  CHECK(rbac->code == "Forbidden");
  CHECK(rbac->inner_code == "ForbiddenByRbac");
  CHECK(rbac->message.rfind("Caller is not authorized to perform action on resource.\r\n", 0) == 0);
  auto nf = parse_kv_error(fkv::test::kv_example("error-404-secret-not-found.json").body);
  REQUIRE(nf);
  CHECK(nf->code == "SecretNotFound");
  CHECK(nf->inner_code.empty());
  auto throttled = parse_kv_error(fkv::test::kv_example("error-429-throttled.json").body);
  REQUIRE(throttled);
  CHECK(throttled->code == "Throttled");
  auto unauthorized = parse_kv_error(fkv::test::kv_example("error-401-challenge.json").body);
  REQUIRE(unauthorized);
  CHECK(unauthorized->message == "Request is missing a Bearer or PoP token.");
  CHECK_FALSE(parse_kv_error("not json"));
  CHECK_FALSE(parse_kv_error(R"({"message":"x"})"));
  CHECK(parse_kv_error(R"({"error":{"code":"c","innerError":{"code":"i"}}})")->inner_code == "i");
}

TEST_CASE("secret name from id") {
  CHECK(secret_name_from_id("https://v.vault.azure.net/secrets/a-b") == "a-b");
  CHECK(secret_name_from_id("https://v.vault.azure.net/secrets/a/0123") == "a");
  CHECK(secret_name_from_id("https://v.vault.azure.net/keys/a") == "");
}

// A hostile or broken server must not be able to crash the task with deep nesting (the parsers are
// iterative: no recursion, so no stack overflow, also on worker threads with small stacks).
TEST_CASE("deeply nested JSON is an error, not a crash") {
  const std::string deep = "{\"value\":" + std::string(500000, '[');
  CHECK_FALSE(fkv::vault::parse_list_page(deep));
  CHECK_FALSE(fkv::vault::parse_secret_bundle("{\"value\":\"x\",\"tags\":" + std::string(500000, '[')));
  CHECK_FALSE(fkv::vault::parse_kv_error("{\"error\":" + std::string(500000, '{')));
}

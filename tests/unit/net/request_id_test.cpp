// The request id decorator (net/request_id.hpp) over a recording fake client.
#include "net/request_id.hpp"

#include <doctest/doctest.h>

using namespace fkv::net;

namespace {
struct Recorder : HttpClient {
  std::vector<Request> seen;
  Outcome send(const Request& request) override {
    seen.push_back(request);
    return Response{200, {}, ""};
  }
};
Request to(std::string host) {
  Request r;
  r.url.host = std::move(host);
  return r;
}
}  // namespace

TEST_CASE("request ids: a fresh one per request, in the header each service logs (issue 19)") {
  Recorder inner;
  int n = 0;
  RequestIdClient client(inner, "login.microsoftonline.com", [&] { return "id-" + std::to_string(++n); });
  client.send(to("kv.vault.azure.net"));
  client.send(to("kv.vault.azure.net"));
  client.send(to("LOGIN.microsoftonline.com"));
  Request own = to("kv.vault.azure.net");
  own.headers.push_back({"X-MS-Client-Request-Id", "mine"});
  client.send(own);
  REQUIRE(inner.seen.size() == 4);
  CHECK(inner.seen[0].headers.size() == 1);
  CHECK(inner.seen[0].headers[0].name == "x-ms-client-request-id");
  CHECK(inner.seen[0].headers[0].value == "id-1");
  CHECK(inner.seen[1].headers[0].value == "id-2");
  CHECK(inner.seen[2].headers[0].name == "client-request-id");
  CHECK(inner.seen[2].headers[0].value == "id-3");
  CHECK(inner.seen[3].headers.size() == 1);
  CHECK(inner.seen[3].headers[0].value == "mine");
  CHECK(n == 3);
}

TEST_CASE("guid_from_hex: a version-4 GUID shape") {
  CHECK(guid_from_hex("0123456789abcdef0123456789abcdef") == "01234567-89ab-4def-8123-456789abcdef");
  CHECK(guid_from_hex("ffffffffffffffffffffffffffffffff").size() == 36);
}

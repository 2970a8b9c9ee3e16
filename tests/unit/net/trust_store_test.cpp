#include <doctest/doctest.h>

#include <set>

#include "net/trust_store.hpp"

using fkv::net::TrustEnvironment;
using fkv::net::TrustSettings;

namespace {

auto existing(std::set<std::string> paths) {
  return [paths = std::move(paths)](const std::string& path) { return paths.count(path) > 0; };
}

const std::string kDefault = "/usr/lib/ssl/cert.pem";
using Paths = std::vector<std::string>;

// The POSIX rules, whatever platform the tests run on (they also run under wine).
fkv::net::TrustPlan plan_posix(const TrustSettings& settings, const std::string& compiled_default,
                               const std::function<bool(const std::string&)>& exists) {
  return fkv::net::plan_trust(settings, compiled_default, exists, fkv::net::TrustPlatform::posix);
}

}  // namespace

TEST_CASE("plan_trust: the compiled default exists, nothing is probed") {
  const auto plan = plan_posix({}, kDefault,
                               existing({kDefault, "/etc/ssl/certs/ca-certificates.crt", "/etc/ssl/certs"}));
  CHECK(plan.default_verify_paths);
  CHECK(plan.probed_files.empty());
  CHECK(plan.probed_dirs.empty());
  CHECK(plan.required_files.empty());
}

TEST_CASE("plan_trust: without the compiled default, the first existing Go bundle and the existing dirs") {
  struct Row {
    std::set<std::string> present;
    Paths files;
    Paths dirs;
  };
  const Row rows[] = {
      {{"/etc/pki/tls/certs/ca-bundle.crt", "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", "/etc/pki/tls/certs"},
       {"/etc/pki/tls/certs/ca-bundle.crt"},
       {"/etc/pki/tls/certs"}},
      {{"/etc/ssl/cert.pem", "/etc/ssl/certs"}, {"/etc/ssl/cert.pem"}, {"/etc/ssl/certs"}},
      {{"/etc/ssl/certs/ca-certificates.crt", "/etc/ssl/cert.pem", "/etc/ssl/certs", "/etc/pki/tls/certs"},
       {"/etc/ssl/certs/ca-certificates.crt"},
       {"/etc/ssl/certs", "/etc/pki/tls/certs"}},
      {{"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem"},
       {"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem"},
       {}},
      {{}, {}, {}},
  };
  for (std::size_t i = 0; i < std::size(rows); ++i) {
    CAPTURE(i);
    const auto plan = plan_posix({}, kDefault, existing(rows[i].present));
    CHECK(plan.default_verify_paths);
    CHECK(plan.probed_files == rows[i].files);
    CHECK(plan.probed_dirs == rows[i].dirs);
  }
}

TEST_CASE("plan_trust: SSL_CERT_FILE or SSL_CERT_DIR decide alone, nothing is probed") {
  for (const TrustEnvironment& environment :
       {TrustEnvironment{"/tmp/ca.pem", "", "", false}, TrustEnvironment{"", "/tmp/certs", "", false}}) {
    TrustSettings settings;
    settings.environment = environment;
    const auto plan = plan_posix(settings, kDefault, existing({"/etc/ssl/cert.pem", "/etc/ssl/certs"}));
    CHECK(plan.default_verify_paths);
    CHECK(plan.probed_files.empty());
    CHECK(plan.probed_dirs.empty());
  }
}

TEST_CASE("plan_trust: AGENT_CAINFO and extra files are always required, in that order") {
  TrustSettings settings;
  settings.environment.agent_cainfo = "/agent/ca.pem";
  settings.extra_ca_files = {"/test/ca.pem"};
  auto plan = plan_posix(settings, kDefault, existing({kDefault}));
  CHECK(plan.required_files == Paths{"/agent/ca.pem", "/test/ca.pem"});
  settings.environment.ssl_cert_file = "/x.pem";
  plan = plan_posix(settings, kDefault, existing({}));
  CHECK(plan.required_files == Paths{"/agent/ca.pem", "/test/ca.pem"});
}

TEST_CASE("skip_validation_warning: AGENT_SKIPCERTVALIDATION is not honoured, the run warns") {
  // Which texts mean true is the configuration reader's one boolean rule (tests/unit/agent/environment_test.cpp).
  const auto warning = fkv::net::skip_validation_warning(TrustEnvironment{"", "", "", true});
  REQUIRE(warning);
  CHECK(*warning == "The agent is configured to skip TLS certificate validation (AGENT_SKIPCERTVALIDATION), but "
                    "federated-keyvault always verifies certificates. If the agent's traffic goes through a "
                    "TLS-inspecting proxy, configure the agent with that proxy's CA certificate (--sslcacert, "
                    "passed to tasks as AGENT_CAINFO) instead.");
  CHECK_FALSE(fkv::net::skip_validation_warning(TrustEnvironment{"", "", "", false}));
}

TEST_CASE("plan_trust on Windows: the ROOT store, and only explicitly named files; never compiled-in paths") {
  using fkv::net::TrustPlatform;
  auto plan = fkv::net::plan_trust({}, kDefault, existing({kDefault, "/etc/ssl/certs/ca-certificates.crt"}),
                                   TrustPlatform::windows);
  CHECK(plan.system_store);
  CHECK_FALSE(plan.default_verify_paths);
  CHECK(plan.probed_files.empty());
  CHECK(plan.probed_dirs.empty());
  CHECK(plan.required_files.empty());

  TrustSettings settings;
  settings.environment = TrustEnvironment{"C:/certs/bundle.pem", "C:/a;;C:/b", "C:/agent/ca.pem", false};
  settings.extra_ca_files = {"C:/test/ca.pem"};
  plan = fkv::net::plan_trust(settings, kDefault, existing({}), TrustPlatform::windows);
  CHECK(plan.system_store);
  CHECK_FALSE(plan.default_verify_paths);
  CHECK(plan.required_files == Paths{"C:/certs/bundle.pem", "C:/agent/ca.pem", "C:/test/ca.pem"});
  CHECK(plan.probed_dirs == Paths{"C:/a", "C:/b"});
}

// OpenSSL set-up: process initialisation and the trust store of an SSL context.
// This header includes neither OpenSSL nor Beast, so main.cpp can use it cheaply.
#pragma once

#include <string>

#include "core/expected.hpp"
#include "net/trust_store.hpp"

struct ssl_ctx_st;  // OpenSSL's SSL_CTX

namespace fkv::net {

// main() must call this first, before any other OpenSSL use (HttpsClient::create included).
// OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG): never read an openssl.cnf from the OPENSSLDIR baked
// into a static build (it could name provider modules of another OpenSSL version). Idempotent.
void init_openssl();

// OpenSSL's compiled-in default CA file (e.g. /usr/lib/ssl/cert.pem).
std::string openssl_default_cert_file();

// Applies plan_trust(settings, ...) to `context`. Fails (Stage::config) when a required file
// (AGENT_CAINFO, extra_ca_files) cannot be loaded or when no CA could be loaded at all.
Expected<Unit> configure_trust(ssl_ctx_st* context, const TrustSettings& settings);

}  // namespace fkv::net

// PEM text (RFC 7468, with the RFC 1421 headers of older encrypted keys) split into its blocks: the one
// reader for the connection's certificate (auth/client_certificate.cpp) and certificate secrets
// (secrets/certificate.cpp). Pure; the callers decode each block's DER with OpenSSL.
//
// Text outside blocks is ignored (as OpenSSL does). A block is "-----BEGIN <label>-----", optional header
// lines (`Proc-Type: 4,ENCRYPTED`, `DEK-Info: ...`), base64 lines (white space ignored, CR LF accepted), and
// "-----END <label>-----" with the same label. A block without its END line, with another label there, or
// whose base64 does not decode makes the whole text unreadable (nullopt).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fkv {

struct PemBlock {
  std::string label;       // e.g. "CERTIFICATE", "PRIVATE KEY"
  bool encrypted = false;  // a header line says ENCRYPTED (an old-style encrypted key)
  std::string der;         // the decoded body (SECRET for keys); zeroed when the block is destroyed
  PemBlock() = default;
  PemBlock(PemBlock&&) = default;
  PemBlock& operator=(PemBlock&&) = default;
  ~PemBlock();
};

std::optional<std::vector<PemBlock>> read_pem_blocks(std::string_view text);

// Bytes as upper-case hex (certificate thumbprints: "A1B2...").
std::string hex_upper(std::string_view bytes);

}  // namespace fkv

// The certificate conversions (secrets/certificate.hpp: convert_certificate) on hostile PKCS#12 and PEM.
// Input: a flag byte (bit 0: the bytes are a PKCS#12, else PEM text; bits 1-2: the format asked for; bit 3:
// a CertificatePassword), then the stored bytes. Seeds (tests/fuzz/corpus/certificate): the throwaway key and
// certificate of tests/fixtures/certificates (RC2-40 PFX, modern PFX, PEM bundle), with each flag.
// Properties:
// - an error has a message and a hint of printable ASCII, no subject, and none of the input's base64 runs
//   (16 characters or more: key material) in any of its texts;
// - a result has a 40-digit upper-case hex thumbprint and a YYYY-MM-DDThh:mm:ssZ notAfter; .crt output holds
//   no key, .key output is exactly the key's PEM, .pem output (converted) begins with it; a PKCS#12 asked for
//   without a password is the stored PKCS#12 as it is;
// - round trip: when the key and the certificates convert, their PEM -> PKCS#12 -> PEM gives the same text,
//   thumbprint and notAfter.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "secrets/certificate.hpp"

namespace {

using fkv::secrets::CertificateFormat;
using fkv::secrets::convert_certificate;

bool base64_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

// The input's runs of 16 or more base64 characters (at most 64 of them, for speed).
std::vector<std::string> base64_runs(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size() && out.size() < 64; ++i) {
    if (i < text.size() && base64_char(text[i])) continue;
    if (i - start >= 16) out.emplace_back(text.substr(start, i - start));
    start = i + 1;
  }
  return out;
}

bool printable(std::string_view s) {
  for (char c : s) {
    if (c < 0x20 || c > 0x7E) return false;
  }
  return true;
}

bool iso_utc(std::string_view s) {
  if (s.size() != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z') {
    return false;
  }
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18}) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t flags = data[0];
  const std::string_view stored = fkv::fuzz::as_text(data + 1, size - 1);
  const bool pkcs12 = flags & 1;
  const auto format = static_cast<CertificateFormat>((flags >> 1) & 3);
  const std::string password = (flags & 8) ? "fuzz-Passw0rd" : "";

  auto file = convert_certificate(stored, pkcs12, format, password);
  if (!file) {
    const auto& e = file.error();
    FKV_FUZZ_CHECK(!e.message.empty() && !e.hint.empty() && e.subject.empty());
    FKV_FUZZ_CHECK(printable(e.message) && printable(e.hint));
    const std::string all = fkv::fuzz::error_text(e);
    for (const auto& run : base64_runs(stored)) FKV_FUZZ_CHECK(all.find(run) == std::string::npos);
    return 0;
  }
  FKV_FUZZ_CHECK(file->thumbprint.size() == 40 &&
                 file->thumbprint.find_first_not_of("0123456789ABCDEF") == std::string::npos);
  FKV_FUZZ_CHECK(file->not_after.empty() || iso_utc(file->not_after));  // empty: a time ASN1 cannot convert
  switch (format) {
    case CertificateFormat::certificates:
      FKV_FUZZ_CHECK(file->bytes.find("PRIVATE KEY") == std::string::npos && file->key_pem.empty());
      break;
    case CertificateFormat::key: FKV_FUZZ_CHECK(!file->key_pem.empty() && file->bytes == file->key_pem); break;
    case CertificateFormat::pem:
      if (file->converted) FKV_FUZZ_CHECK(file->bytes.compare(0, file->key_pem.size(), file->key_pem) == 0);
      break;
    case CertificateFormat::pkcs12:
      if (pkcs12 && password.empty()) FKV_FUZZ_CHECK(!file->converted && file->bytes == stored);
      break;
  }

  // Round trip through PKCS#12 (only for inputs that hold a key and certificates).
  auto key = convert_certificate(stored, pkcs12, CertificateFormat::key, "");
  auto certificates = convert_certificate(stored, pkcs12, CertificateFormat::certificates, "");
  if (!key || !certificates) return 0;
  const std::string pem = key->bytes + certificates->bytes;
  auto built = convert_certificate(pem, false, CertificateFormat::pkcs12, "");
  FKV_FUZZ_CHECK(built && built->converted);
  auto back = convert_certificate(built->bytes, true, CertificateFormat::pem, "");
  FKV_FUZZ_CHECK(back && back->bytes == pem);
  FKV_FUZZ_CHECK(back->thumbprint == certificates->thumbprint && back->not_after == certificates->not_after);
  return 0;
}

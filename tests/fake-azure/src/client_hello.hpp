// Reads the server name (SNI) out of a TLS ClientHello before the TLS library sees it, so that a
// connection-level fault ("stall": "accept") can pick connections by host without ever completing
// the handshake. Pure: bytes in, result out. Only the first TLS record is looked at.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace fake {

struct ClientHelloScan {
  enum class State {
    need_more,  // the first TLS record is not complete yet: read more and scan again
    done,       // the first record is complete (sni set if the ClientHello in it names a host)
    not_tls,    // the bytes are not a TLS handshake record
  } state = State::need_more;
  std::optional<std::string> sni;  // lower-case host_name
};

ClientHelloScan scan_client_hello(std::string_view bytes);

}  // namespace fake

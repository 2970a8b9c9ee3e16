#include "client_hello.hpp"

#include "util.hpp"

#include <cstdint>

namespace fake {

namespace {
// A bounds-checked reader over the ClientHello; any overrun makes ok false.
struct Reader {
  std::string_view data;
  std::size_t pos = 0;
  bool ok = true;
  std::size_t take(std::size_t n) {
    if (!ok || pos + n > data.size()) {
      ok = false;
      return 0;
    }
    std::size_t v = 0;
    for (std::size_t i = 0; i < n; ++i) v = v << 8 | (unsigned char)data[pos + i];
    pos += n;
    return v;
  }
  void skip(std::size_t n) {
    if (!ok || pos + n > data.size()) {
      ok = false;
      return;
    }
    pos += n;
  }
};
}  // namespace

ClientHelloScan scan_client_hello(std::string_view b) {
  ClientHelloScan out;
  if (!b.empty() && (unsigned char)b[0] != 0x16) {
    out.state = ClientHelloScan::State::not_tls;
    return out;
  }
  if (b.size() < 5) return out;
  const std::size_t record_len = (unsigned char)b[3] << 8 | (unsigned char)b[4];
  if (b.size() < 5 + record_len) return out;
  out.state = ClientHelloScan::State::done;

  Reader r{b.substr(5, record_len)};
  if (r.take(1) != 1) return out;  // handshake type ClientHello
  r.skip(3);                       // handshake length (the message may continue in a later record)
  r.skip(2 + 32);                  // legacy_version, random
  r.skip(r.take(1));               // legacy_session_id
  r.skip(r.take(2));               // cipher_suites
  r.skip(r.take(1));               // legacy_compression_methods
  const std::size_t ext_end = r.take(2) + r.pos;
  while (r.ok && r.pos + 4 <= ext_end) {
    const std::size_t type = r.take(2), len = r.take(2);
    if (type != 0) {
      r.skip(len);
      continue;
    }  // 0: server_name
    Reader list{r.data.substr(0, r.pos + len), r.pos};
    const std::size_t list_end = list.take(2) + list.pos;
    while (list.ok && list.pos + 3 <= list_end) {
      const std::size_t name_type = list.take(1), name_len = list.take(2);
      if (name_type == 0 && list.ok && list.pos + name_len <= list.data.size()) {
        out.sni = to_lower(list.data.substr(list.pos, name_len));
        return out;
      }
      list.skip(name_len);
    }
    return out;
  }
  return out;
}

}  // namespace fake

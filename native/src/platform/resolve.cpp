#include "platform/resolve.hpp"

#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <netdb.h>
#include <sys/socket.h>
#endif

namespace fkv::platform {

std::optional<net::TransportError> resolve_host(const std::string& host, std::string& address) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const int rc = getaddrinfo(host.c_str(), "443", &hints, &found);
  if (rc != 0 || !found) {
    net::TransportError e;
    e.phase = net::TransportError::Phase::resolve;
#ifdef _WIN32
    e.kind = rc == WSAHOST_NOT_FOUND ? net::TransportError::Kind::resolve_not_found : net::TransportError::Kind::resolve_failed;
    e.detail = "error " + std::to_string(rc);
#else
    e.kind = rc == EAI_NONAME ? net::TransportError::Kind::resolve_not_found : net::TransportError::Kind::resolve_failed;
    e.detail = gai_strerror(rc);
#endif
    return e;
  }
  char text[128] = {};
  if (getnameinfo(found->ai_addr, static_cast<socklen_t>(found->ai_addrlen), text, sizeof text, nullptr, 0,
                  NI_NUMERICHOST) == 0) {
    address = text;
  } else {
    address = "an address";
  }
  freeaddrinfo(found);
  return std::nullopt;
}

}  // namespace fkv::platform

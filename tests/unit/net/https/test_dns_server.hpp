// A tiny DNS responder on 127.0.0.1:53/udp for the resolution tests: every query is answered
// NXDOMAIN (rcode 3), except names starting with "servfail." which get SERVFAIL (rcode 2).
// It only works where /etc/resolv.conf names 127.0.0.1 (the CTest wrapper bind-mounts one in a
// private mount + network namespace and sets FKV_TEST_PRIVATE_DNS=1). Bounded: the loop polls a
// stop flag every 20 ms; the destructor joins it.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace fkv::test {

class TestDnsServer {
 public:
  TestDnsServer() {
    fd_ = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(53);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ok_ = fd_ >= 0 && ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    if (ok_) thread_ = std::thread([this] { loop(); });
  }
  ~TestDnsServer() {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
    if (fd_ >= 0) ::close(fd_);
  }
  bool ok() const { return ok_; }
  int queries() const { return queries_.load(); }

 private:
  void loop() {
    while (!stopping_) {
      pollfd entry{fd_, POLLIN, 0};
      if (::poll(&entry, 1, 20) <= 0) continue;
      unsigned char query[512];
      sockaddr_in peer{};
      socklen_t peer_size = sizeof peer;
      const auto n = ::recvfrom(fd_, query, sizeof query, 0, reinterpret_cast<sockaddr*>(&peer), &peer_size);
      if (n < 12) continue;
      ++queries_;
      // Walk the question name; answer with the header and the question only.
      std::size_t at = 12;
      std::string name;
      while (at < static_cast<std::size_t>(n) && query[at] != 0 && query[at] < 64) {
        const std::size_t length = query[at];
        if (!name.empty()) name += '.';
        name.append(reinterpret_cast<const char*>(query + at + 1), std::min<std::size_t>(length, n - at - 1));
        at += length + 1;
      }
      const std::size_t question_end = at + 1 + 4;  // the root label, QTYPE, QCLASS
      if (question_end > static_cast<std::size_t>(n)) continue;
      std::vector<unsigned char> answer(query, query + question_end);
      const unsigned char rcode = name.rfind("servfail.", 0) == 0 ? 2 : 3;
      answer[2] = static_cast<unsigned char>(0x80 | (query[2] & 0x79));  // QR, opcode and RD copied
      answer[3] = static_cast<unsigned char>(0x80 | rcode);              // RA, rcode
      answer[4] = 0;
      answer[5] = 1;                               // QDCOUNT 1
      for (int i = 6; i < 12; ++i) answer[i] = 0;  // no answers, authority, additional
      ::sendto(fd_, answer.data(), answer.size(), 0, reinterpret_cast<sockaddr*>(&peer), peer_size);
    }
  }

  int fd_ = -1;
  bool ok_ = false;
  std::atomic<bool> stopping_{false};
  std::atomic<int> queries_{0};
  std::thread thread_;
};

}  // namespace fkv::test

// A tiny blocking HTTP CONNECT proxy on 127.0.0.1 for HttpsClient tests: it records each CONNECT
// head, answers with a fixed status, and for 200 tunnels to 127.0.0.1:<upstream port> (it never
// resolves the requested name). Every wait is bounded: accept and the tunnel poll every 50 ms, a head
// must arrive within 10 s, and the destructor stops and joins every thread.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace fkv::test {

class TestConnectProxy {
 public:
  struct Seen {
    std::string request_line;                    // "CONNECT host:port HTTP/1.1"
    std::map<std::string, std::string> headers;  // lower-case names
  };

  TestConnectProxy(unsigned short upstream_port, int status = 200) : upstream_port_(upstream_port), status_(status) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (listen_fd_ < 0) throw std::runtime_error("socket");
    sockaddr_in address = loopback(0);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listen_fd_, 16) != 0) {
      throw std::runtime_error("bind/listen");
    }
    socklen_t length = sizeof address;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    accept_thread_ = std::thread([this] { accept_loop(); });
  }

  ~TestConnectProxy() {
    stopping_ = true;
    accept_thread_.join();
    for (auto& thread : threads_) thread.join();
    ::close(listen_fd_);
  }

  unsigned short port() const { return port_; }
  std::vector<Seen> seen() const {
    std::lock_guard lock(mutex_);
    return seen_;
  }

 private:
  static sockaddr_in loopback(unsigned short port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
  }

  static void send_all(int fd, const std::string& data) {
    std::size_t sent = 0;
    while (sent < data.size()) {
      const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<std::size_t>(n);
    }
  }

  void accept_loop() {
    while (!stopping_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      const int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) continue;
      std::lock_guard lock(mutex_);
      threads_.emplace_back([this, fd] { serve(fd); });
    }
  }

  void serve(int client) {
    timeval timeout{10, 0};
    ::setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    std::string head;
    char chunk[1024];
    while (head.find("\r\n\r\n") == std::string::npos && head.size() < 16384 && !stopping_) {
      const ssize_t n = ::recv(client, chunk, 1, 0);  // byte by byte: nothing after the head is consumed
      if (n <= 0) break;
      head.append(chunk, static_cast<std::size_t>(n));
    }
    Seen seen;
    std::size_t line_end = head.find("\r\n");
    seen.request_line = head.substr(0, line_end);
    while (line_end != std::string::npos && line_end + 2 < head.size()) {
      const std::size_t next = head.find("\r\n", line_end + 2);
      const std::string line = head.substr(line_end + 2, next - line_end - 2);
      const std::size_t colon = line.find(':');
      if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
        std::string value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(' '));
        seen.headers[name] = value;
      }
      line_end = next;
    }
    {
      std::lock_guard lock(mutex_);
      seen_.push_back(seen);
    }
    if (status_ != 200) {
      send_all(client,
               "HTTP/1.1 " + std::to_string(status_) + " Refused\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      ::close(client);
      return;
    }
    const int upstream = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address = loopback(upstream_port_);
    if (::connect(upstream, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      send_all(client, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
      ::close(upstream);
      ::close(client);
      return;
    }
    send_all(client, "HTTP/1.1 200 Connection established\r\n\r\n");
    pollfd fds[2] = {{client, POLLIN, 0}, {upstream, POLLIN, 0}};
    while (!stopping_) {
      if (::poll(fds, 2, 50) <= 0) continue;
      bool closed = false;
      for (int i = 0; i < 2 && !closed; ++i) {
        if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        const ssize_t n = ::recv(fds[i].fd, chunk, sizeof chunk, 0);
        if (n <= 0) {
          closed = true;
          break;
        }
        send_all(fds[1 - i].fd, std::string(chunk, static_cast<std::size_t>(n)));
      }
      if (closed) break;
    }
    ::close(upstream);
    ::close(client);
  }

  unsigned short upstream_port_;
  int status_;
  int listen_fd_ = -1;
  unsigned short port_ = 0;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::vector<Seen> seen_;
  std::vector<std::thread> threads_;
  std::thread accept_thread_;
};

}  // namespace fkv::test

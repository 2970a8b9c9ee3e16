// A small blocking HTTPS/1.1 server on 127.0.0.1 for exercising HttpsClient, with a throwaway CA
// generated in memory (EC P-256). One thread accepts; one thread serves each connection. Every wait
// is bounded: sockets have a 10 s receive timeout, a "hang" lasts at most hang_for, and the
// destructor shuts every socket down and joins every thread.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <functional>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace fkv::test {

struct ServerRequest {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  int connection = 0;           // 1-based index of the accepted connection
  int index_on_connection = 0;  // 1 for the first request of that connection
};

struct ServerReply {
  // drip: send the headers, then the body one byte every drip_every (for at most hang_for).
  enum class Action { respond, close_without_response, hang, drip };
  Action action = Action::respond;
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool close_after = false;
  std::chrono::milliseconds hang_for{3000};
  std::chrono::milliseconds drip_every{100};
  std::vector<int> interim;  // 1xx status codes sent, each as a bare status line, before the response
};

class TestTlsServer {
 public:
  using Handler = std::function<ServerReply(const ServerRequest&)>;

  explicit TestTlsServer(Handler handler, std::string leaf_san = "DNS:localhost,DNS:fake.test,IP:127.0.0.1")
      : handler_(std::move(handler)), tls_(boost::asio::ssl::context::tls_server), acceptor_(io_) {
    make_certificates(leaf_san);
    using tcp = boost::asio::ip::tcp;
    acceptor_.open(tcp::v4());
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    acceptor_.bind(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
    acceptor_.listen();
    acceptor_.non_blocking(true);
    port_ = acceptor_.local_endpoint().port();
    accept_thread_ = std::thread([this] { accept_loop(); });
  }

  ~TestTlsServer() {
    stopping_ = true;
    stop_signal_.notify_all();
    accept_thread_.join();
    {
      std::lock_guard lock(mutex_);
      for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
    }
    for (auto& thread : connection_threads_) thread.join();
    std::remove(ca_file_.c_str());
  }

  unsigned short port() const { return port_; }
  const std::string& ca_file() const { return ca_file_; }
  int connections() const { return accepted_.load(); }
  std::vector<ServerRequest> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  static void check(bool ok, const char* what) {
    if (!ok) throw std::runtime_error(std::string("test certificate set-up failed: ") + what);
  }

  static void add_extension(X509* cert, X509V3_CTX* context, int nid, const char* value) {
    X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, context, nid, value);
    check(extension != nullptr, "extension");
    X509_add_ext(cert, extension, -1);
    X509_EXTENSION_free(extension);
  }

  static X509* make_certificate(EVP_PKEY* key, EVP_PKEY* signer, X509* issuer, const char* common_name, long serial,
                                const std::string& san) {
    X509* cert = X509_new();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), serial);
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), 86400);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(common_name), -1, -1,
                               0);
    X509_set_issuer_name(cert, issuer ? X509_get_subject_name(issuer) : name);
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, issuer ? issuer : cert, cert, nullptr, nullptr, 0);
    const bool ca = issuer == nullptr;
    add_extension(cert, &context, NID_basic_constraints, ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
    add_extension(cert, &context, NID_key_usage, ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature");
    add_extension(cert, &context, NID_subject_key_identifier, "hash");
    if (!ca) {
      add_extension(cert, &context, NID_authority_key_identifier, "keyid:always");
      add_extension(cert, &context, NID_ext_key_usage, "serverAuth");
      add_extension(cert, &context, NID_subject_alt_name, san.c_str());
    }
    check(X509_sign(cert, signer, EVP_sha256()) > 0, "sign");
    return cert;
  }

  void make_certificates(const std::string& leaf_san) {
    EVP_PKEY* ca_key = EVP_EC_gen("P-256");
    EVP_PKEY* leaf_key = EVP_EC_gen("P-256");
    check(ca_key && leaf_key, "keygen");
    X509* ca = make_certificate(ca_key, ca_key, nullptr, "fkv test CA", 1, "");
    X509* leaf = make_certificate(leaf_key, ca_key, ca, "localhost", 2, leaf_san);
    check(SSL_CTX_use_certificate(tls_.native_handle(), leaf) == 1, "use cert");
    check(SSL_CTX_use_PrivateKey(tls_.native_handle(), leaf_key) == 1, "use key");

    char path[] = "/tmp/fkv-test-ca-XXXXXX";
    const int fd = ::mkstemp(path);
    check(fd >= 0, "mkstemp");
    ::close(fd);
    ca_file_ = path;
    FILE* file = std::fopen(path, "w");
    check(file && PEM_write_X509(file, ca) == 1, "write CA");
    std::fclose(file);
    X509_free(leaf);
    X509_free(ca);
    EVP_PKEY_free(leaf_key);
    EVP_PKEY_free(ca_key);
  }

  void accept_loop() {
    while (!stopping_) {
      boost::system::error_code ec;
      boost::asio::ip::tcp::socket socket(io_);
      acceptor_.accept(socket, ec);
      if (ec == boost::asio::error::would_block || ec == boost::asio::error::try_again) {
        std::unique_lock lock(mutex_);
        stop_signal_.wait_for(lock, std::chrono::milliseconds(5), [this] { return stopping_.load(); });
        continue;
      }
      if (ec) continue;
      socket.non_blocking(false);
      timeval timeout{10, 0};
      ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
      const int index = ++accepted_;
      std::lock_guard lock(mutex_);
      open_fds_.push_back(socket.native_handle());
      connection_threads_.emplace_back([this, index, s = std::move(socket)]() mutable { serve(std::move(s), index); });
    }
  }

  void serve(boost::asio::ip::tcp::socket socket, int connection) {
    namespace http = boost::beast::http;
    boost::beast::ssl_stream<boost::asio::ip::tcp::socket> stream(std::move(socket), tls_);
    boost::system::error_code ec;
    stream.handshake(boost::asio::ssl::stream_base::server, ec);
    boost::beast::flat_buffer buffer;
    for (int index = 1; !ec && !stopping_; ++index) {
      http::request<http::string_body> message;
      http::read(stream, buffer, message, ec);
      if (ec) break;
      ServerRequest request;
      request.method = std::string(message.method_string());
      request.target = std::string(message.target());
      for (const auto& field : message) {
        std::string name(field.name_string());
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
        request.headers[name] = std::string(field.value());
      }
      request.body = message.body();
      request.connection = connection;
      request.index_on_connection = index;
      {
        std::lock_guard lock(mutex_);
        requests_.push_back(request);
      }
      const ServerReply reply = handler_(request);
      if (reply.action == ServerReply::Action::close_without_response) break;
      if (reply.action == ServerReply::Action::hang) {
        std::unique_lock lock(mutex_);
        stop_signal_.wait_for(lock, reply.hang_for, [this] { return stopping_.load(); });
        break;
      }
      for (int code : reply.interim) {
        const std::string line = "HTTP/1.1 " + std::to_string(code) + " Interim\r\nX-Interim: 1\r\n\r\n";
        boost::asio::write(stream, boost::asio::buffer(line), ec);
      }
      if (ec) break;
      http::response<http::string_body> response{static_cast<http::status>(reply.status), 11};
      for (const auto& [name, value] : reply.headers) response.set(name, value);
      response.body() = reply.body;
      response.prepare_payload();
      response.keep_alive(!reply.close_after && message.keep_alive());
      if (reply.action == ServerReply::Action::drip) {
        http::response_serializer<http::string_body> serializer(response);
        http::write_header(stream, serializer, ec);
        const auto until = std::chrono::steady_clock::now() + reply.hang_for;
        for (std::size_t i = 0; !ec && i < reply.body.size() && std::chrono::steady_clock::now() < until; ++i) {
          boost::asio::write(stream, boost::asio::buffer(reply.body.data() + i, 1), ec);
          std::unique_lock lock(mutex_);
          if (stop_signal_.wait_for(lock, reply.drip_every, [this] { return stopping_.load(); })) break;
        }
        break;
      }
      http::write(stream, response, ec);
      if (reply.close_after) break;
    }
    boost::system::error_code ignored;
    stream.next_layer().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
    std::lock_guard lock(mutex_);
    open_fds_.erase(std::remove(open_fds_.begin(), open_fds_.end(), stream.next_layer().native_handle()),
                    open_fds_.end());
  }

  Handler handler_;
  boost::asio::io_context io_;
  boost::asio::ssl::context tls_;
  boost::asio::ip::tcp::acceptor acceptor_;
  unsigned short port_ = 0;
  std::string ca_file_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> accepted_{0};
  mutable std::mutex mutex_;
  std::condition_variable stop_signal_;
  std::vector<int> open_fds_;
  std::vector<ServerRequest> requests_;
  std::vector<std::thread> connection_threads_;
  std::thread accept_thread_;
};

}  // namespace fkv::test

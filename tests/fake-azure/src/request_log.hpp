// The request log (--log): JSON lines, one per request, flushed as written (tests read it live).
#pragma once
#include <cstdio>
#include <mutex>
#include <string>

namespace fake {

class RequestLog {
 public:
  explicit RequestLog(const std::string& path);  // throws std::runtime_error if it cannot be opened
  ~RequestLog();
  RequestLog(const RequestLog&) = delete;
  RequestLog& operator=(const RequestLog&) = delete;
  void write(const std::string& line);

 private:
  std::mutex mutex_;
  std::FILE* file_ = nullptr;
};

}  // namespace fake

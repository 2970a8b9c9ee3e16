#include "request_log.hpp"

#include <stdexcept>

namespace fake {

RequestLog::RequestLog(const std::string& path) : file_(std::fopen(path.c_str(), "a")) {
  if (!file_) throw std::runtime_error("cannot open request log " + path);
}
RequestLog::~RequestLog() {
  if (file_) std::fclose(file_);
}
void RequestLog::write(const std::string& line) {
  std::lock_guard lock(mutex_);
  std::fputs(line.c_str(), file_);
  std::fputc('\n', file_);
  std::fflush(file_);
}

}  // namespace fake

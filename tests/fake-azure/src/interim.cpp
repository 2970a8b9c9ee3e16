#include "interim.hpp"

namespace fake {

bool is_valid_interim_status(int status) { return status >= 100 && status <= 199 && status != 101; }

std::string interim_response(int status) {
  const char* reason = status == 100   ? "Continue"
                       : status == 102 ? "Processing"
                       : status == 103 ? "Early Hints"
                                       : "Interim";
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\n";
  if (status == 103) out += "Link: <https://login.microsoftonline.com/>; rel=preconnect\r\n";
  return out + "\r\n";
}

}  // namespace fake

#include "core/pem.hpp"

#include "core/base64.hpp"

namespace fkv {

PemBlock::~PemBlock() {
  volatile char* p = der.data();
  for (std::size_t i = 0; i < der.size(); ++i) p[i] = 0;
}

std::optional<std::vector<PemBlock>> read_pem_blocks(std::string_view text) {
  std::size_t pos = 0;
  auto next_line = [&](std::string_view& line) {
    if (pos >= text.size()) return false;
    const std::size_t end = text.find('\n', pos);
    line = text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    pos = end == std::string_view::npos ? text.size() : end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return true;
  };
  const auto armour = [](std::string_view line, std::string_view start) {
    return line.size() > start.size() + 5 && line.substr(0, start.size()) == start &&
           line.substr(line.size() - 5) == "-----";
  };
  std::vector<PemBlock> blocks;
  std::string_view line;
  while (next_line(line)) {
    if (!armour(line, "-----BEGIN ")) continue;
    PemBlock block;
    block.label = std::string(line.substr(11, line.size() - 16));
    std::string body;
    bool headers = true, ended = false;
    while (next_line(line)) {
      if (line.substr(0, 9) == "-----END ") {
        if (line.size() != block.label.size() + 14 || !armour(line, "-----END ") ||
            line.substr(9, block.label.size()) != block.label) {
          return std::nullopt;
        }
        ended = true;
        break;
      }
      if (headers && line.find(':') != std::string_view::npos) {
        if (line.find("ENCRYPTED") != std::string_view::npos) block.encrypted = true;
        continue;
      }
      headers = false;
      body += line;
    }
    if (!ended) return std::nullopt;
    auto der = base64_decode(body);
    volatile char* p = body.data();
    for (std::size_t i = 0; i < body.size(); ++i) p[i] = 0;
    if (!der) return std::nullopt;
    block.der = std::move(*der);
    blocks.push_back(std::move(block));
  }
  return blocks;
}

std::string hex_upper(std::string_view bytes) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 0xF]);
  }
  return out;
}

}  // namespace fkv

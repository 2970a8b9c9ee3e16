#include "dns.hpp"

#include "util.hpp"

#include <algorithm>
#include <cstdint>

namespace fake {

namespace {
enum class Verdict { nxdomain, empty, loopback };

// Parses the query, asks decide(name, qtype, qclass) and builds the answer.
template <class Decide>
std::optional<std::string> build_answer(std::string_view q, Decide&& decide) {
  if (q.size() < 12) return std::nullopt;
  auto u16 = [&](std::size_t i) { return std::uint16_t((unsigned char)q[i] << 8 | (unsigned char)q[i + 1]); };
  const std::uint16_t flags = u16(2);
  if (flags & 0x8000) return std::nullopt;              // a response, not a query
  if (((flags >> 11) & 0xF) != 0) return std::nullopt;  // only standard queries
  if (u16(4) != 1) return std::nullopt;                 // exactly one question
  std::size_t i = 12;
  std::string name;
  while (true) {
    if (i >= q.size()) return std::nullopt;
    std::size_t len = (unsigned char)q[i];
    if (len == 0) {
      ++i;
      break;
    }
    if (len > 63 || i + 1 + len > q.size()) return std::nullopt;  // no compression in questions
    if (!name.empty()) name += '.';
    name += q.substr(i + 1, len);
    i += 1 + len;
  }
  if (i + 4 > q.size()) return std::nullopt;
  const std::uint16_t qtype = u16(i), qclass = u16(i + 2);
  const std::size_t question_end = i + 4;
  const Verdict verdict = decide(to_lower(name), qtype, qclass);
  const bool known = verdict != Verdict::nxdomain;
  const bool answer_a = verdict == Verdict::loopback;

  std::string r;
  r += q.substr(0, 2);  // id
  const std::uint16_t out_flags = std::uint16_t(0x8000 | 0x0400 | (flags & 0x0100) | 0x0080 | (known ? 0 : 3));
  r += char(out_flags >> 8);
  r += char(out_flags & 0xFF);
  r += std::string("\0\1", 2);                                      // qdcount 1
  r += answer_a ? std::string("\0\1", 2) : std::string("\0\0", 2);  // ancount
  r += std::string("\0\0\0\0", 4);                                  // nscount, arcount
  r += q.substr(12, question_end - 12);
  if (answer_a) {
    r += std::string("\xC0\x0C", 2);        // name: pointer to the question
    r += std::string("\0\1\0\1", 4);        // A, IN
    r += std::string("\0\0\0\x3C", 4);      // TTL 60
    r += std::string("\0\4\x7F\0\0\1", 6);  // 127.0.0.1
  }
  return r;
}

Verdict plain_verdict(const std::vector<std::string>& served, const std::string& name, std::uint16_t qtype,
                      std::uint16_t qclass) {
  if (std::find(served.begin(), served.end(), name) == served.end()) return Verdict::nxdomain;
  return qtype == 1 && qclass == 1 ? Verdict::loopback : Verdict::empty;
}
}  // namespace

std::optional<std::string> dns_answer(std::string_view q, const std::vector<std::string>& served) {
  return build_answer(q, [&](const std::string& name, std::uint16_t qtype, std::uint16_t qclass) {
    return plain_verdict(served, name, qtype, qclass);
  });
}

DnsTable::DnsTable(std::vector<std::string> served_names, std::map<std::string, int> fail_after)
    : served_(std::move(served_names)), remaining_(std::move(fail_after)) {}

std::optional<std::string> DnsTable::answer(std::string_view q) {
  return build_answer(q, [&](const std::string& name, std::uint16_t qtype, std::uint16_t qclass) {
    Verdict v = plain_verdict(served_, name, qtype, qclass);
    std::lock_guard lock(mutex_);
    auto it = remaining_.find(name);
    if (it == remaining_.end() || v == Verdict::nxdomain) return v;
    if (it->second <= 0) return Verdict::nxdomain;  // the budget is spent: the name is gone
    if (v == Verdict::loopback) --it->second;       // only A answers count
    return v;
  });
}

std::string dns_query(std::uint16_t id, const std::string& name, std::uint16_t qtype) {
  std::string q;
  q += char(id >> 8);
  q += char(id & 0xFF);
  q += std::string("\1\0\0\1\0\0\0\0\0\0", 10);  // RD, one question
  std::size_t start = 0;
  while (start <= name.size()) {
    auto dot = name.find('.', start);
    if (dot == std::string::npos) dot = name.size();
    q += char(dot - start);
    q += name.substr(start, dot - start);
    start = dot + 1;
  }
  q += '\0';
  q += char(qtype >> 8);
  q += char(qtype & 0xFF);
  q += std::string("\0\1", 2);
  return q;
}

}  // namespace fake

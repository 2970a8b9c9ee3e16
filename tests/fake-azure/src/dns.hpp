// A minimal authoritative DNS answerer for the namespace: A 127.0.0.1 for served names, an empty
// NOERROR answer for their other record types, NXDOMAIN for every other name (an unknown vault host
// fails at once, as in real life). A name may be given a budget of A answers (a vault's
// "dnsFailAfter"): once spent, the name is NXDOMAIN for every type, modelling DNS failing mid-run.
#pragma once
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fake {

// nullopt for a packet that is not a single-question standard query (it is dropped).
std::optional<std::string> dns_answer(std::string_view query, const std::vector<std::string>& served_names);

// The same answers, with per-name A budgets; counts the A answers it gives. Thread-safe.
class DnsTable {
 public:
  // fail_after: lower-case name -> how many A answers it gets before it turns NXDOMAIN.
  DnsTable(std::vector<std::string> served_names, std::map<std::string, int> fail_after = {});
  std::optional<std::string> answer(std::string_view query);

 private:
  std::vector<std::string> served_;
  std::mutex mutex_;
  std::map<std::string, int> remaining_;
};

// For tests: a standard query for one name and type (1 = A, 28 = AAAA).
std::string dns_query(std::uint16_t id, const std::string& name, std::uint16_t qtype);

}  // namespace fake

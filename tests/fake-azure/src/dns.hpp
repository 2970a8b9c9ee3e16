// A minimal authoritative DNS answerer for the namespace: A 127.0.0.1 for served names, an empty
// NOERROR answer for their other record types, NXDOMAIN for every other name (an unknown vault host
// fails at once, as in real life). Pure: bytes in, bytes out.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fake {

// nullopt for a packet that is not a single-question standard query (it is dropped).
std::optional<std::string> dns_answer(std::string_view query, const std::vector<std::string>& served_names);

// For tests: a standard query for one name and type (1 = A, 28 = AAAA).
std::string dns_query(std::uint16_t id, const std::string& name, std::uint16_t qtype);

}  // namespace fake

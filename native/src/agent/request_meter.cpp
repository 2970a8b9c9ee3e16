#include "agent/request_meter.hpp"

namespace fkv::agent {

const char* to_string(RequestPhase phase) {
  switch (phase) {
    case RequestPhase::imds: return "Managed identity token";
    case RequestPhase::oidc: return "OIDC token";
    case RequestPhase::entra: return "Entra token exchange";
    case RequestPhase::listing: return "Listing";
    case RequestPhase::downloads: return "Downloads";
    case RequestPhase::other: return "Other";
  }
  return "Other";
}

RequestPhase PhaseClassifier::operator()(const net::Request& request) const {
  const std::string& host = request.url.host;
  if (!vault_host.empty() && host == vault_host) {
    const std::string& target = request.url.target;
    const auto query = target.find('?');
    const std::string path = target.substr(0, query);
    return path == "/secrets" || path == "/secrets/" ? RequestPhase::listing : RequestPhase::downloads;
  }
  if (host == "169.254.169.254") return RequestPhase::imds;
  if (!oidc_host.empty() && host == oidc_host) return RequestPhase::oidc;
  if (!authority_host.empty() && host == authority_host) return RequestPhase::entra;
  return RequestPhase::other;
}

std::vector<SummaryPhase> MeterStats::phases() const {
  std::lock_guard lock(mutex_);
  std::vector<SummaryPhase> out;
  for (std::size_t i = 0; i < kRequestPhases; ++i) {
    const Counts& c = counts_[i];
    if (c.attempts == 0) continue;
    SummaryPhase p;
    p.name = to_string(static_cast<RequestPhase>(i));
    p.seconds = std::chrono::duration<double>(c.last - c.first).count();
    p.requests = c.attempts;
    p.retries = c.attempts > c.calls ? c.attempts - c.calls : 0;
    p.throttled = c.throttled;
    out.push_back(std::move(p));
  }
  return out;
}

net::Outcome MeteredClient::send(const net::Request& request) {
  const auto index = static_cast<std::size_t>(stats_.classify_(request));
  const auto start = stats_.now_();
  net::Outcome outcome = inner_.send(request);
  const auto end = stats_.now_();
  std::lock_guard lock(stats_.mutex_);
  MeterStats::Counts& c = stats_.counts_[index];
  if (layer_ == Layer::attempts) {
    ++c.attempts;
    if (const auto* response = std::get_if<net::Response>(&outcome); response && response->status == 429) ++c.throttled;
  } else {
    ++c.calls;
    if (!c.started || start < c.first) c.first = start;
    if (!c.started || end > c.last) c.last = end;
    c.started = true;
  }
  return outcome;
}

}  // namespace fkv::agent

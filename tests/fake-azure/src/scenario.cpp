#include "scenario.hpp"

#include "crypto.hpp"
#include "interim.hpp"
#include "util.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace fake {
namespace {

using Value = rapidjson::Value;

[[noreturn]] void bad(const std::string& path, const std::string& what) {
  throw std::runtime_error("scenario: " + path + ": " + what);
}

std::string str(const Value& obj, const char* key, const std::string& path, std::string fallback = {}) {
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd() || it->value.IsNull()) return fallback;
  if (!it->value.IsString()) bad(path + "." + key, "must be a string");
  return std::string(it->value.GetString(), it->value.GetStringLength());
}
std::int64_t num(const Value& obj, const char* key, const std::string& path, std::int64_t fallback) {
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd() || it->value.IsNull()) return fallback;
  if (!it->value.IsInt64()) bad(path + "." + key, "must be an integer");
  return it->value.GetInt64();
}
std::optional<std::int64_t> opt_num(const Value& obj, const char* key, const std::string& path) {
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd() || it->value.IsNull()) return std::nullopt;
  if (!it->value.IsInt64()) bad(path + "." + key, "must be an integer");
  return it->value.GetInt64();
}
bool boolean(const Value& obj, const char* key, const std::string& path, bool fallback) {
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd() || it->value.IsNull()) return fallback;
  if (!it->value.IsBool()) bad(path + "." + key, "must be true or false");
  return it->value.GetBool();
}
const Value* arr(const Value& obj, const char* key, const std::string& path) {
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd() || it->value.IsNull()) return nullptr;
  if (!it->value.IsArray()) bad(path + "." + key, "must be an array");
  return &it->value;
}
const Value* object(const Value& obj, const char* key, const std::string& path) {
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd() || it->value.IsNull()) return nullptr;
  if (!it->value.IsObject()) bad(path + "." + key, "must be an object");
  return &it->value;
}
void require_object(const Value& v, const std::string& path) {
  if (!v.IsObject()) bad(path, "must be an object");
}
// A misspelt knob must not be silently ignored.
void known_keys(const Value& v, const std::string& path, std::initializer_list<std::string_view> keys) {
  for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
    std::string_view name(it->name.GetString(), it->name.GetStringLength());
    if (std::find(keys.begin(), keys.end(), name) != keys.end()) continue;
    std::string list;
    for (auto k : keys) list += (list.empty() ? "" : ", ") + std::string(k);
    bad(path.empty() ? std::string(name) : path + "." + std::string(name), "unknown key (known: " + list + ")");
  }
}
std::vector<std::string> strings(const Value& obj, const char* key, const std::string& path) {
  std::vector<std::string> out;
  if (const Value* a = arr(obj, key, path)) {
    for (rapidjson::SizeType i = 0; i < a->Size(); ++i) {
      if (!(*a)[i].IsString()) bad(path + "." + key + "[" + std::to_string(i) + "]", "must be a string");
      out.emplace_back((*a)[i].GetString(), (*a)[i].GetStringLength());
    }
  }
  return out;
}

// Structural UTF-8 check (lead byte + continuation bytes); enough to keep JSON output well-formed.
bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    unsigned char c = (unsigned char)s[i];
    int n = c < 0x80 ? 0 : (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : (c >> 3) == 30 ? 3 : -1;
    if (n < 0 || i + std::size_t(n) >= s.size()) return false;
    for (int k = 1; k <= n; ++k)
      if (((unsigned char)s[i + std::size_t(k)] >> 6) != 2) return false;
    i += std::size_t(n) + 1;
  }
  return true;
}

std::string default_version(const std::string& vault, const std::string& name, std::size_t index) {
  static const char* hex = "0123456789abcdef";
  std::string h;
  for (unsigned char c : sha256(vault + "/" + to_lower(name) + "/" + std::to_string(index)).substr(0, 16)) {
    h += hex[c >> 4];
    h += hex[c & 15];
  }
  return h;
}

SecretVersion parse_version(const Value& v, const std::string& path, const std::string& vault, const std::string& name,
                            std::size_t index) {
  require_object(v, path);
  if (index == 0)
    known_keys(v, path,
               {"name", "forbidden", "previousVersions", "version", "value", "valueBase64", "valueRepeat", "enabled",
                "exp", "nbf", "created", "updated", "contentType", "tags", "managed"});
  else
    known_keys(v, path,
               {"version", "value", "valueBase64", "valueRepeat", "enabled", "exp", "nbf", "created", "updated",
                "contentType", "tags", "managed"});
  SecretVersion out;
  out.version = to_lower(str(v, "version", path, default_version(vault, name, index)));
  if (out.version.size() != 32 || out.version.find_first_not_of("0123456789abcdef") != std::string::npos)
    bad(path + ".version", "must be 32 hex digits");
  auto text = v.FindMember("value");
  auto b64 = v.FindMember("valueBase64");
  if (text != v.MemberEnd() && b64 != v.MemberEnd()) bad(path, "give either value or valueBase64, not both");
  if (b64 != v.MemberEnd()) {
    if (!b64->value.IsString()) bad(path + ".valueBase64", "must be a string");
    auto decoded = base64_decode(std::string_view(b64->value.GetString(), b64->value.GetStringLength()));
    if (!decoded) bad(path + ".valueBase64", "is not valid base64");
    out.value = *decoded;
  } else {
    out.value = str(v, "value", path);
  }
  auto repeat = num(v, "valueRepeat", path, 1);
  if (repeat < 1 || repeat > 1000000) bad(path + ".valueRepeat", "must be 1..1000000");
  if (repeat > 1) {
    std::string once = out.value;
    out.value.clear();
    out.value.reserve(once.size() * std::size_t(repeat));
    for (std::int64_t i = 0; i < repeat; ++i) out.value += once;
  }
  if (!valid_utf8(out.value)) bad(path, "the value is not valid UTF-8; Key Vault secret values are Unicode strings");
  out.enabled = boolean(v, "enabled", path, true);
  out.exp = opt_num(v, "exp", path);
  out.nbf = opt_num(v, "nbf", path);
  out.created = num(v, "created", path, 1700000000);
  out.updated = num(v, "updated", path, out.created);
  auto ct = v.FindMember("contentType");
  if (ct != v.MemberEnd() && !ct->value.IsNull()) out.content_type = str(v, "contentType", path);
  if (const Value* tags = object(v, "tags", path)) {
    for (auto it = tags->MemberBegin(); it != tags->MemberEnd(); ++it) {
      if (!it->value.IsString()) bad(path + ".tags." + it->name.GetString(), "must be a string");
      out.tags.emplace_back(it->name.GetString(), std::string(it->value.GetString(), it->value.GetStringLength()));
    }
  }
  out.managed = boolean(v, "managed", path, false);
  return out;
}

Secret parse_secret(const Value& v, const std::string& path, const std::string& vault) {
  require_object(v, path);
  Secret s;
  s.name = str(v, "name", path);
  if (!is_valid_secret_name(s.name))
    bad(path + ".name", "'" + s.name + "' is not a valid secret name ([0-9A-Za-z-]{1,127})");
  s.forbidden = str(v, "forbidden", path);
  if (const Value* prev = arr(v, "previousVersions", path)) {
    for (rapidjson::SizeType i = 0; i < prev->Size(); ++i)
      s.versions.push_back(parse_version((*prev)[i], path + ".previousVersions[" + std::to_string(i) + "]", vault,
                                         s.name, i + 1));
  }
  s.versions.push_back(parse_version(v, path, vault, s.name, 0));
  return s;
}

// RFC 9110 token characters: what a header field name may consist of.
bool is_token(std::string_view s) {
  return !s.empty() &&
         s.find_first_not_of("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") ==
             std::string_view::npos;
}

// The keys of a fault rule that make hostile answers: stall kinds, interim responses, custom error
// texts and extra header fields. Checks their combinations with each other and with status/reset.
void parse_hostile_keys(const Value& v, const std::string& path, Fault& f) {
  const std::string kind = str(v, "stall", path);
  if (!kind.empty()) {
    auto k = stall_kind_from_name(kind);
    if (!k) bad(path + ".stall", "must be one of accept, headers, slowloris, body, truncate");
    f.stall.kind = *k;
  }
  const StallKind k = f.stall.kind;
  auto ranged = [&](const char* key, std::int64_t lo, std::int64_t hi) -> std::optional<int> {
    auto n = opt_num(v, key, path);
    if (n && (*n < lo || *n > hi)) bad(path + "." + key, "must be " + std::to_string(lo) + ".." + std::to_string(hi));
    return n ? std::optional<int>(int(*n)) : std::nullopt;
  };
  if (auto n = ranged("intervalMs", 1, 600000)) {
    if (k != StallKind::slowloris && k != StallKind::body)
      bad(path + ".intervalMs", "only for stall slowloris or body");
    f.stall.interval_ms = *n;
  }
  if (auto n = ranged("totalMs", 0, 600000)) {
    if (k != StallKind::slowloris) bad(path + ".totalMs", "only for stall slowloris");
    f.stall.total_ms = *n;
  }
  if (auto n = ranged("holdMs", 1, 600000)) {
    if (k == StallKind::none || k == StallKind::truncate)
      bad(path + ".holdMs", "only for stalls that hold the connection");
    f.stall.hold_ms = *n;
  }
  if (const Value* a = arr(v, "interim", path))
    for (rapidjson::SizeType i = 0; i < a->Size(); ++i) {
      const std::string ipath = path + ".interim[" + std::to_string(i) + "]";
      if (!(*a)[i].IsInt() || !is_valid_interim_status((*a)[i].GetInt()))
        bad(ipath, "must be a 1xx status other than 101");
      f.interim.push_back((*a)[i].GetInt());
    }
  auto text = [&](const char* key) -> std::optional<std::string> {
    auto it = v.FindMember(key);
    if (it == v.MemberEnd() || it->value.IsNull()) return std::nullopt;
    std::string t = str(v, key, path);
    if (!valid_utf8(t)) bad(path + "." + key, "is not valid UTF-8");
    return t;
  };
  f.error_code = text("errorCode");
  f.error_message = text("errorMessage");
  if ((f.error_code || f.error_message) && !f.status)
    bad(path + (f.error_code ? ".errorCode" : ".errorMessage"),
        "needs status (the text is the body of an error answer)");
  if (const Value* h = object(v, "headers", path))
    for (auto it = h->MemberBegin(); it != h->MemberEnd(); ++it) {
      const std::string name(it->name.GetString(), it->name.GetStringLength());
      const std::string hpath = path + ".headers." + name;
      if (!is_token(name)) bad(hpath, "is not a valid header field name");
      if (iequals(name, "content-length") || iequals(name, "transfer-encoding") || iequals(name, "connection"))
        bad(hpath, "would break the message framing; not settable");
      if (!it->value.IsString()) bad(hpath, "must be a string");
      const std::string value(it->value.GetString(), it->value.GetStringLength());
      if (value.find_first_of(std::string("\r\n\0", 3)) != std::string::npos)
        bad(hpath, "must not contain CR, LF or NUL (they would split or end the header)");
      if (value.size() > 16384)
        bad(hpath, "must be at most 16384 bytes (Beast's limit is 65533 with the echoed token)");
      f.headers.emplace_back(name, value);
    }
  if (f.reset && (k != StallKind::none || !f.interim.empty() || !f.headers.empty()))
    bad(path + ".reset", "a reset sends nothing: no stall, interim or headers with it");
  if (k == StallKind::accept) {
    if (f.method != "*" || f.path != "*")
      bad(path + ".stall", "accept stalls before any request is read: only host (the TLS SNI) can be matched");
    if (f.status || f.reset || !f.interim.empty() || !f.headers.empty() || f.delay_ms || f.retry_after ||
        f.retry_after_date_in || f.retry_after_ms)
      bad(path + ".stall", "accept never answers: no status, reset, interim, headers or delay with it");
  }
}

std::set<std::string> seen_ci(const std::vector<Secret>& secrets) {
  std::set<std::string> out;
  for (const auto& s : secrets) out.insert(to_lower(s.name));
  return out;
}

}  // namespace

bool Fault::decides() const {
  return status || reset || stall.kind != StallKind::none || !interim.empty() || !headers.empty();
}

bool Fault::fires_on(int occurrence) const {
  if (!nth.empty()) return std::find(nth.begin(), nth.end(), occurrence) != nth.end();
  return times == 0 || occurrence <= times;
}

bool is_valid_secret_name(std::string_view name) {
  return !name.empty() && name.size() <= 127 &&
         name.find_first_not_of("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-") ==
             std::string_view::npos;
}
bool is_valid_vault_name(std::string_view name) {
  return name.size() >= 3 && name.size() <= 24 &&
         name.find_first_not_of("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-") ==
             std::string_view::npos;
}

std::string connection_issuer(const Scenario& s, const Connection& c) {
  if (c.issuer_format == IssuerFormat::Entra) return "https://login.microsoftonline.com/" + c.tenant + "/v2.0";
  return "https://vstoken.dev.azure.com/" + s.org_id;
}
std::string connection_subject(const Scenario& s, const Connection& c) {
  if (c.issuer_format == IssuerFormat::Entra) {
    auto t = guid_bytes_ms(c.tenant);
    auto a = guid_bytes_ms(kAzureDevOpsAppId);
    return "/eid1/c/pub/t/" + base64url_encode(t ? *t : c.tenant) + "/a/" + base64url_encode(*a) + "/sc/" + s.org_id +
           "/" + c.id;
  }
  return "sc://" + s.org_name + "/" + s.project_name + "/" + c.name;
}
std::string connection_audience(const Connection& c) {
  return std::string(c.issuer_format == IssuerFormat::Entra ? kTokenExchangeAppId : kTokenExchangeAudience);
}

std::vector<std::string> Scenario::served_names() const {
  std::vector<std::string> out = {"dev.azure.com", "login.microsoftonline.com"};
  for (const auto& v : vaults) out.push_back(to_lower(v.host()));
  for (const auto& f : foreign_hosts) out.push_back(to_lower(f));
  return out;
}
std::vector<std::string> Scenario::hosts_file_names() const {
  std::vector<std::string> out;
  const auto budgets = dns_fail_after();
  for (auto& name : served_names())
    if (!budgets.count(name)) out.push_back(name);
  return out;
}
std::map<std::string, int> Scenario::dns_fail_after() const {
  std::map<std::string, int> out;
  for (const auto& v : vaults)
    if (v.dns_fail_after) out[to_lower(v.host())] = *v.dns_fail_after;
  return out;
}
bool Scenario::has_accept_stalls() const {
  for (const auto& f : faults)
    if (f.stall.kind == StallKind::accept) return true;
  return false;
}
const Tenant* Scenario::find_tenant(std::string_view id) const {
  for (const auto& t : tenants) {
    if (iequals(t.id, id)) return &t;
    for (const auto& d : t.domains)
      if (iequals(d, id)) return &t;
  }
  return nullptr;
}
const AppRegistration* Scenario::find_app(std::string_view tenant_id, std::string_view client_id) const {
  for (const auto& a : apps)
    if (iequals(a.tenant, tenant_id) && iequals(a.client_id, client_id)) return &a;
  return nullptr;
}
const Connection* Scenario::find_connection(std::string_view id) const {
  for (const auto& c : connections)
    if (iequals(c.id, id)) return &c;
  return nullptr;
}
const Vault* Scenario::find_vault_by_host(std::string_view host) const {
  for (const auto& v : vaults)
    if (iequals(v.host(), host)) return &v;
  return nullptr;
}
bool Scenario::is_foreign_host(std::string_view host) const {
  for (const auto& f : foreign_hosts)
    if (iequals(f, host)) return true;
  return false;
}

Scenario parse_scenario(std::string_view json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError())
    bad("(file)", std::string("invalid JSON at offset ") + std::to_string(doc.GetErrorOffset()) + ": " +
                      rapidjson::GetParseError_En(doc.GetParseError()));
  require_object(doc, "(root)");
  known_keys(doc, "",
             {"organization", "project", "pipelineName", "jobToken", "clockSkewSeconds", "latencyMs", "connectDelayMs",
              "oidcTokenLifetimeSeconds", "tenants", "connections", "apps", "vaults", "foreignHosts", "faults",
              "imds"});
  Scenario s;
  if (const Value* o = object(doc, "organization", "")) {
    known_keys(*o, "organization", {"name", "id"});
    s.org_name = str(*o, "name", "organization", s.org_name);
    s.org_id = str(*o, "id", "organization", s.org_id);
  }
  if (const Value* p = object(doc, "project", "")) {
    known_keys(*p, "project", {"name", "id"});
    s.project_name = str(*p, "name", "project", s.project_name);
    s.project_id = str(*p, "id", "project", s.project_id);
  }
  s.pipeline_name = str(doc, "pipelineName", "", s.pipeline_name);
  s.job_token = str(doc, "jobToken", "", s.job_token);
  s.clock_skew_seconds = int(num(doc, "clockSkewSeconds", "", 0));
  s.latency_ms = int(num(doc, "latencyMs", "", 0));
  s.connect_delay_ms = int(num(doc, "connectDelayMs", "", 0));
  if (s.connect_delay_ms < 0 || s.connect_delay_ms > 60000) bad("connectDelayMs", "must be 0..60000");
  const int default_lifetime = int(num(doc, "oidcTokenLifetimeSeconds", "", 300));

  if (const Value* a = arr(doc, "tenants", "")) {
    for (rapidjson::SizeType i = 0; i < a->Size(); ++i) {
      std::string path = "tenants[" + std::to_string(i) + "]";
      require_object((*a)[i], path);
      known_keys((*a)[i], path, {"id", "domains"});
      Tenant t{to_lower(str((*a)[i], "id", path)), strings((*a)[i], "domains", path)};
      if (!is_guid(t.id)) bad(path + ".id", "must be a GUID");
      s.tenants.push_back(t);
    }
  }
  auto resolve_tenant = [&](const std::string& value, const std::string& path) {
    if (value.empty()) {
      if (s.tenants.empty()) bad(path, "no tenant given and no tenants declared");
      return s.tenants.front().id;
    }
    const Tenant* t = s.find_tenant(value);
    if (!t) bad(path, "unknown tenant '" + value + "' (declare it under tenants)");
    return t->id;
  };

  if (const Value* a = arr(doc, "connections", "")) {
    for (rapidjson::SizeType i = 0; i < a->Size(); ++i) {
      std::string path = "connections[" + std::to_string(i) + "]";
      const Value& v = (*a)[i];
      require_object(v, path);
      known_keys(v, path, {"id", "name", "issuerFormat", "tenant", "clientId", "oidcTokenLifetimeSeconds"});
      Connection c;
      c.id = to_lower(str(v, "id", path));
      c.name = str(v, "name", path);
      if (c.id.empty() || c.name.empty()) bad(path, "id and name are required");
      std::string format = str(v, "issuerFormat", path, "azuredevops");
      if (format == "azuredevops") c.issuer_format = IssuerFormat::AzureDevOps;
      else if (format == "entra") c.issuer_format = IssuerFormat::Entra;
      else bad(path + ".issuerFormat", "must be \"azuredevops\" or \"entra\"");
      c.tenant = resolve_tenant(str(v, "tenant", path), path + ".tenant");
      c.client_id = to_lower(str(v, "clientId", path));
      c.oidc_lifetime_seconds = int(num(v, "oidcTokenLifetimeSeconds", path, default_lifetime));
      s.connections.push_back(c);
    }
  }

  if (const Value* a = arr(doc, "apps", "")) {
    for (rapidjson::SizeType i = 0; i < a->Size(); ++i) {
      std::string path = "apps[" + std::to_string(i) + "]";
      const Value& v = (*a)[i];
      require_object(v, path);
      known_keys(v, path, {"clientId", "tenant", "federatedCredentials", "clientSecrets", "certificates"});
      AppRegistration app;
      app.client_id = to_lower(str(v, "clientId", path));
      if (app.client_id.empty()) bad(path + ".clientId", "is required");
      app.tenant = resolve_tenant(str(v, "tenant", path), path + ".tenant");
      if (const Value* fics = arr(v, "federatedCredentials", path)) {
        for (rapidjson::SizeType k = 0; k < fics->Size(); ++k) {
          std::string fpath = path + ".federatedCredentials[" + std::to_string(k) + "]";
          const Value& f = (*fics)[k];
          require_object(f, fpath);
          known_keys(f, fpath, {"connection", "issuer", "subject", "audience"});
          FederatedCredential fic;
          std::string conn_id = str(f, "connection", fpath);
          if (!conn_id.empty()) {
            const Connection* c = s.find_connection(conn_id);
            if (!c) bad(fpath + ".connection", "unknown connection '" + conn_id + "'");
            fic.issuer = connection_issuer(s, *c);
            fic.subject = connection_subject(s, *c);
          }
          fic.issuer = str(f, "issuer", fpath, fic.issuer);
          fic.subject = str(f, "subject", fpath, fic.subject);
          fic.audience = str(f, "audience", fpath, std::string(kTokenExchangeAudience));
          if (fic.issuer.empty() || fic.subject.empty()) bad(fpath, "needs issuer and subject (or connection)");
          app.federated_credentials.push_back(fic);
        }
      }
      if (const Value* secrets = arr(v, "clientSecrets", path)) {
        for (rapidjson::SizeType k = 0; k < secrets->Size(); ++k) {
          std::string spath = path + ".clientSecrets[" + std::to_string(k) + "]";
          const Value& cs = (*secrets)[k];
          require_object(cs, spath);
          known_keys(cs, spath, {"value", "expired"});
          ClientSecret secret;
          secret.value = str(cs, "value", spath);
          if (secret.value.empty()) bad(spath + ".value", "is required");
          secret.expired = boolean(cs, "expired", spath, false);
          app.client_secrets.push_back(secret);
        }
      }
      app.certificates = strings(v, "certificates", path);
      for (const auto& pem : app.certificates)
        if (pem.find("-----BEGIN CERTIFICATE-----") == std::string::npos)
          bad(path + ".certificates", "must be PEM certificates");
      s.apps.push_back(app);
    }
  }

  if (const Value* a = arr(doc, "vaults", "")) {
    for (rapidjson::SizeType i = 0; i < a->Size(); ++i) {
      std::string path = "vaults[" + std::to_string(i) + "]";
      const Value& v = (*a)[i];
      require_object(v, path);
      known_keys(v, path,
                 {"name", "tenant", "pageSize", "emptyPages", "nullValueWhenEmpty", "forbidden", "listForbidden",
                  "getForbidden", "allowedClients", "nextLinkHost", "challengeAuthority", "challengeResource",
                  "throttle", "secrets", "generate", "dnsFailAfter", "accessAppliesAfterMs"});
      Vault vault;
      vault.name = to_lower(str(v, "name", path));
      if (!is_valid_vault_name(vault.name)) bad(path + ".name", "'" + vault.name + "' is not a valid vault name");
      vault.tenant = resolve_tenant(str(v, "tenant", path), path + ".tenant");
      vault.page_size = int(num(v, "pageSize", path, 25));
      if (vault.page_size < 1 || vault.page_size > 25) bad(path + ".pageSize", "must be 1..25");
      if (const Value* e = arr(v, "emptyPages", path))
        for (rapidjson::SizeType k = 0; k < e->Size(); ++k) {
          if (!(*e)[k].IsInt() || (*e)[k].GetInt() < 1) bad(path + ".emptyPages", "must hold page numbers >= 1");
          vault.empty_pages.insert((*e)[k].GetInt());
        }
      vault.null_value_when_empty = boolean(v, "nullValueWhenEmpty", path, false);
      vault.forbidden = str(v, "forbidden", path);
      vault.list_forbidden = str(v, "listForbidden", path);
      vault.get_forbidden = str(v, "getForbidden", path);
      vault.allowed_clients = strings(v, "allowedClients", path);
      for (auto& c : vault.allowed_clients) c = to_lower(c);
      vault.next_link_host = to_lower(str(v, "nextLinkHost", path));
      vault.challenge_authority = str(v, "challengeAuthority", path);
      vault.challenge_resource = str(v, "challengeResource", path);
      if (auto n = opt_num(v, "accessAppliesAfterMs", path)) {
        if (*n < 0 || *n > 3600000) bad(path + ".accessAppliesAfterMs", "must be 0..3600000");
        vault.access_applies_after_ms = std::int64_t(*n);
      }
      if (auto n = opt_num(v, "dnsFailAfter", path)) {
        if (*n < 0 || *n > 1000000) bad(path + ".dnsFailAfter", "must be 0..1000000");
        vault.dns_fail_after = int(*n);
      }
      if (const Value* t = object(v, "throttle", path)) {
        known_keys(*t, path + ".throttle", {"limit", "windowSeconds", "retryAfter"});
        vault.throttle.limit = int(num(*t, "limit", path + ".throttle", 4000));
        vault.throttle.window_seconds = int(num(*t, "windowSeconds", path + ".throttle", 10));
        auto ra = t->FindMember("retryAfter");
        if (ra != t->MemberEnd() && !ra->value.IsNull())
          vault.throttle.retry_after = ra->value.IsString() ? std::string(ra->value.GetString())
                                       : ra->value.IsInt()
                                           ? std::to_string(ra->value.GetInt())
                                           : (bad(path + ".throttle.retryAfter", "must be a string or integer"), "");
      }
      if (const Value* secrets = arr(v, "secrets", path))
        for (rapidjson::SizeType k = 0; k < secrets->Size(); ++k)
          vault.secrets.push_back(parse_secret((*secrets)[k], path + ".secrets[" + std::to_string(k) + "]",
                                               vault.name));
      if (const Value* g = object(v, "generate", path)) {
        std::string gpath = path + ".generate";
        known_keys(*g, gpath, {"count", "namePrefix", "valuePrefix"});
        auto count = num(*g, "count", gpath, 0);
        if (count < 0 || count > 100000) bad(gpath + ".count", "must be 0..100000");
        std::string prefix = str(*g, "namePrefix", gpath, "gen-");
        std::string vprefix = str(*g, "valuePrefix", gpath, "value-");
        for (std::int64_t k = 0; k < count; ++k) {
          Secret sec;
          char num_buf[16];
          std::snprintf(num_buf, sizeof num_buf, "%05lld", static_cast<long long>(k));
          sec.name = prefix + num_buf;
          if (!is_valid_secret_name(sec.name)) bad(gpath + ".namePrefix", "makes invalid secret names");
          SecretVersion ver;
          ver.version = default_version(vault.name, sec.name, 0);
          ver.value = vprefix + num_buf;
          sec.versions.push_back(ver);
          vault.secrets.push_back(std::move(sec));
        }
      }
      if (seen_ci(vault.secrets).size() != vault.secrets.size())
        bad(path + ".secrets", "secret names must be unique (case-insensitively)");
      for (std::size_t k = 0; k < vault.secrets.size(); ++k)
        vault.secret_index.emplace(to_lower(vault.secrets[k].name), k);
      s.vaults.push_back(std::move(vault));
    }
  }
  if (const Value* m = object(doc, "imds", "")) {
    known_keys(*m, "imds", {"systemAssigned", "userAssigned", "warmupNotFound"});
    Imds imds;
    auto identity = [&](const Value& v, const std::string& path) {
      require_object(v, path);
      known_keys(v, path, {"clientId", "tenant"});
      ManagedIdentity id{to_lower(str(v, "clientId", path)), resolve_tenant(str(v, "tenant", path), path + ".tenant")};
      if (!is_guid(id.client_id)) bad(path + ".clientId", "must be a GUID");
      return id;
    };
    if (const Value* sys = object(*m, "systemAssigned", "imds"))
      imds.system_assigned = identity(*sys, "imds.systemAssigned");
    if (const Value* users = arr(*m, "userAssigned", "imds"))
      for (rapidjson::SizeType k = 0; k < users->Size(); ++k)
        imds.user_assigned.push_back(identity((*users)[k], "imds.userAssigned[" + std::to_string(k) + "]"));
    imds.warmup_not_found = int(num(*m, "warmupNotFound", "imds", 0));
    if (imds.warmup_not_found < 0 || imds.warmup_not_found > 100) bad("imds.warmupNotFound", "must be 0..100");
    s.imds = std::move(imds);
  }

  s.foreign_hosts = strings(doc, "foreignHosts", "");
  for (auto& h : s.foreign_hosts) h = to_lower(h);

  if (const Value* a = arr(doc, "faults", "")) {
    for (rapidjson::SizeType i = 0; i < a->Size(); ++i) {
      std::string path = "faults[" + std::to_string(i) + "]";
      const Value& v = (*a)[i];
      require_object(v, path);
      known_keys(v, path, {"host",         "method",           "path",         "nth",    "times",   "status",
                           "retryAfter",   "retryAfterDateIn", "retryAfterMs", "reset",  "delayMs", "entraError",
                           "stall",        "intervalMs",       "totalMs",      "holdMs", "interim", "errorCode",
                           "errorMessage", "headers"});
      Fault f;
      f.host = str(v, "host", path, "*");
      f.method = str(v, "method", path, "*");
      f.path = str(v, "path", path, "*");
      if (const Value* n = arr(v, "nth", path))
        for (rapidjson::SizeType k = 0; k < n->Size(); ++k) {
          if (!(*n)[k].IsInt() || (*n)[k].GetInt() < 1) bad(path + ".nth", "must hold occurrence numbers >= 1");
          f.nth.push_back((*n)[k].GetInt());
        }
      f.times = int(num(v, "times", path, 0));
      f.status = int(num(v, "status", path, 0));
      auto ra = v.FindMember("retryAfter");
      if (ra != v.MemberEnd() && !ra->value.IsNull())
        f.retry_after = ra->value.IsString() ? std::string(ra->value.GetString())
                        : ra->value.IsInt()  ? std::to_string(ra->value.GetInt())
                                             : (bad(path + ".retryAfter", "must be a string or integer"), "");
      if (auto d = opt_num(v, "retryAfterDateIn", path)) f.retry_after_date_in = int(*d);
      if (auto d = opt_num(v, "retryAfterMs", path)) f.retry_after_ms = int(*d);
      f.reset = boolean(v, "reset", path, false);
      f.delay_ms = int(num(v, "delayMs", path, 0));
      f.entra_error = int(num(v, "entraError", path, 0));
      if (f.entra_error && !f.status) f.status = f.entra_error == 90002 || f.entra_error == 700016 ? 400 : 401;
      if (f.status && (f.status < 100 || f.status > 599)) bad(path + ".status", "must be an HTTP status");
      parse_hostile_keys(v, path, f);
      if (!f.decides() && !f.delay_ms)
        bad(path, "does nothing: give status, entraError, reset, delayMs, stall, interim or headers");
      s.faults.push_back(f);
    }
  }
  return s;
}

Scenario load_scenario(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("scenario: cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_scenario(ss.str());
}

}  // namespace fake

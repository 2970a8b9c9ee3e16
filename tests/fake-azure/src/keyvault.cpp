// Key Vault data plane, secrets only: list (paged), get (latest or a version), with Key Vault's 401
// challenge, 403/404/400/429 errors in the real wire shape (see /work/shared/kv-examples).
#include "services.hpp"
#include "util.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <regex>

namespace fake {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void kv_headers(HttpResponse& r, const HttpRequest& req) {
  r.set("Cache-Control", "no-cache");
  r.set("Pragma", "no-cache");
  r.set("Expires", "-1");
  r.set("x-ms-keyvault-region", "westeurope");
  r.set("x-ms-request-id", random_guid());
  r.set("x-ms-keyvault-service-version", "1.9.2113.1");
  r.set("x-ms-keyvault-network-info", "conn_type=Ipv4;addr=127.0.0.1;act_addr_fam=InterNetwork;");
  r.set("Strict-Transport-Security", "max-age=31536000;includeSubDomains");
  r.set("X-Content-Type-Options", "nosniff");
  if (req.has_header("x-ms-client-request-id")) r.set("x-ms-client-request-id", req.header("x-ms-client-request-id"));
}

std::string caller(const AccessToken& t) {
  return "appid=" + t.client_id + ";oid=" + std::string("5c1b8f6e-3a2d-4e7f-9b0a-1c2d3e4f5a6b") +
         ";iss=https://sts.windows.net/" + t.tenant + "/";
}

HttpResponse forbidden(const Vault& v, const std::string& inner, const AccessToken& t, const std::string& action,
                       const std::string& secret, const std::string& verb) {
  std::string resource = "/subscriptions/00000000-0000-0000-0000-000000000004/resourcegroups/fkv-rg/providers/"
                         "microsoft.keyvault/vaults/" +
                         v.name + (secret.empty() ? "" : "/secrets/" + to_lower(secret));
  std::string message;
  if (inner == "ForbiddenByRbac")
    message =
        "Caller is not authorized to perform action on resource.\r\nIf role assignments, deny assignments or role "
        "definitions were changed recently, please observe propagation time.\r\nCaller: " +
        caller(t) + "\r\nAction: '" + action + "'\r\nResource: '" + resource +
        "'\r\nAssignment: (not found)\r\nDenyAssignmentId: null\r\nDecisionReason: 'DeniedWithNoValidRBAC' \r\nVault: " +
        v.name + ";location=westeurope\r\n";
  else if (inner == "AccessDenied")
    message = "The user, group or application '" + caller(t) + "' does not have secrets " + verb +
              " permission on key vault '" + v.name +
              ";location=westeurope'. For help resolving this issue, please see "
              "https://go.microsoft.com/fwlink/?linkid=2125287";
  else if (inner == "ForbiddenByFirewall")
    message =
        "Client address is not authorized and caller is not a trusted service.\r\nClient address: 127.0.0.1\r\nCaller: " +
        caller(t) + "\r\nVault: " + v.name + ";location=westeurope";
  else if (inner == "ForbiddenByConnection")
    message =
        "Public network access is disabled and request is not from a trusted service nor via an approved private link.\r\n"
        "Caller: " +
        caller(t) + "\r\nVault: " + v.name + ";location=westeurope";
  else if (inner == "ForbiddenByPolicy")
    message = "The policy requires the caller '" + caller(t) +
              "' to use on-behalf-of (OBO) flow. For more information on OBO, "
              "please see https://go.microsoft.com/fwlink/?linkid=2152310";
  else if (inner == "SecretDisabled") message = "Operation " + verb + " is not allowed on a disabled secret.";
  else message = "Operation " + verb + " is not allowed (" + inner + ").";
  return keyvault_error(403, "Forbidden", message, inner);
}

void write_attributes(Writer& w, const SecretVersion& s) {
  w.Key("attributes");
  w.StartObject();
  w.Key("enabled");
  w.Bool(s.enabled);
  if (s.nbf) {
    w.Key("nbf");
    w.Int64(*s.nbf);
  }
  if (s.exp) {
    w.Key("exp");
    w.Int64(*s.exp);
  }
  w.Key("created");
  w.Int64(s.created);
  w.Key("updated");
  w.Int64(s.updated);
  w.Key("recoveryLevel");
  w.String("Recoverable+Purgeable");
  w.Key("recoverableDays");
  w.Int(90);
  w.EndObject();
}
void write_common(Writer& w, const SecretVersion& s) {
  if (s.content_type) {
    w.Key("contentType");
    w.String(s.content_type->c_str(), rapidjson::SizeType(s.content_type->size()));
  }
  if (!s.tags.empty()) {
    w.Key("tags");
    w.StartObject();
    for (const auto& [k, v] : s.tags) {
      w.Key(k.c_str(), rapidjson::SizeType(k.size()));
      w.String(v.c_str(), rapidjson::SizeType(v.size()));
    }
    w.EndObject();
  }
  if (s.managed) {
    w.Key("managed");
    w.Bool(true);
  }
}

std::string secret_bundle(const Vault& v, const Secret& secret, const SecretVersion& s) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  const std::string base = "https://" + v.host();
  w.StartObject();
  w.Key("value");
  w.String(s.value.c_str(), rapidjson::SizeType(s.value.size()));
  if (s.content_type) {
    w.Key("contentType");
    w.String(s.content_type->c_str(), rapidjson::SizeType(s.content_type->size()));
  }
  std::string id = base + "/secrets/" + secret.name + "/" + s.version;
  w.Key("id");
  w.String(id.c_str(), rapidjson::SizeType(id.size()));
  if (s.managed) {
    std::string kid = base + "/keys/" + secret.name + "/" + s.version;
    w.Key("kid");
    w.String(kid.c_str(), rapidjson::SizeType(kid.size()));
  }
  write_attributes(w, s);
  SecretVersion rest = s;
  rest.content_type.reset();
  write_common(w, rest);
  w.EndObject();
  return buf.GetString();
}

// $skiptoken: base64url of {"NextMarker":"<offset>!<page>","TargetLocation":0}.
std::string make_skiptoken(std::size_t offset, int page) {
  return base64url_encode("{\"NextMarker\":\"" + std::to_string(offset) + "!" + std::to_string(page) +
                          "\",\"TargetLocation\":0}");
}
bool read_skiptoken(const std::string& token, std::size_t& offset, int& page) {
  auto raw = base64_decode(token);
  if (!raw) return false;
  static const std::regex re(R"re(^\{"NextMarker":"([0-9]+)!([0-9]+)","TargetLocation":0\}$)re");
  std::smatch m;
  if (!std::regex_match(*raw, m, re)) return false;
  offset = std::stoul(m[1].str());
  page = std::stoi(m[2].str());
  return page >= 1;
}

bool api_version_ok(const std::string& v) {
  static const std::regex re(R"(^(7\.[0-9]+(-preview(\.[0-9]+)?)?|20[0-9]{2}-[0-9]{2}-[0-9]{2}(-preview)?)$)");
  return std::regex_match(v, re);
}

}  // namespace

HttpResponse keyvault_error(int status, const std::string& code, const std::string& message, const std::string& inner) {
  HttpResponse r;
  r.status = status;
  r.set("Content-Type", "application/json; charset=utf-8");
  r.body = "{\"error\":{\"code\":\"" + json_escape(code) + "\",\"message\":\"" + json_escape(message) + "\"";
  if (!inner.empty()) r.body += ",\"innererror\":{\"code\":\"" + json_escape(inner) + "\"}";
  r.body += "}}";
  return r;
}

HttpResponse handle_keyvault(Services& s, const Vault& v, const HttpRequest& req) {
  auto done = [&](HttpResponse r) {
    kv_headers(r, req);
    return r;
  };
  Target t = split_target(req.target);
  auto seg = split_path(t.path);
  auto q = parse_query(t.query);

  // Authentication: Key Vault answers any request without a valid token with the 401 challenge.
  auto challenge = [&](const std::string& message) {
    HttpResponse r = keyvault_error(401, "Unauthorized", message);
    std::string authority = v.challenge_authority.empty() ? "https://login.microsoftonline.com/" + v.tenant
                                                          : v.challenge_authority;
    std::string resource = v.challenge_resource.empty() ? std::string(kVaultResource) : v.challenge_resource;
    r.set("WWW-Authenticate", "Bearer authorization=\"" + authority + "\", resource=\"" + resource + "\"");
    return done(r);
  };
  std::string auth = req.header("authorization");
  if (!starts_with_icase(auth, "Bearer ") || auth.size() <= 7)
    return challenge("Request is missing a Bearer or PoP token.");
  auto token = s.tokens.find_access(auth.substr(7));
  if (!token) return challenge("AKV10000: Request is missing a Bearer or PoP token.");
  if (token->expires_at <= s.now()) return challenge("AKV10021: Token has expired.");
  if (!iequals(token->resource, kVaultResource))
    return challenge("AKV10022: Invalid audience. Expected " + std::string(kVaultResource) +
                     ", found: " + token->resource + ".");
  if (!iequals(token->tenant, v.tenant))
    return challenge("AKV10032: Invalid issuer. Expected one of https://sts.windows.net/" + v.tenant +
                     "/, found https://sts.windows.net/" + token->tenant + "/.");

  if (!s.rates.admit(v.name, v.throttle.limit, std::int64_t(v.throttle.window_seconds) * 1000, s.now_ms())) {
    HttpResponse r = keyvault_error(429, "Throttled",
                                    "Request was not processed because too many requests were received. Reason: "
                                    "VaultRequestTypeLimitReached");
    if (v.throttle.retry_after) r.set("Retry-After", *v.throttle.retry_after);
    return done(r);
  }

  if (seg.empty() || seg[0] != "secrets")
    return done(keyvault_error(404, "NotFound",
                               "The requested path was not found on this vault (the fake serves /secrets only)."));
  if (req.method != "GET")
    return done(keyvault_error(405, "MethodNotAllowed",
                               "The requested method " + req.method + " is not supported by the fake."));

  auto api = q.find("api-version");
  if (api == q.end() || api->second.empty())
    return done(keyvault_error(400, "BadParameter", "The 'api-version' query parameter is missing."));
  if (!api_version_ok(api->second))
    return done(keyvault_error(400, "BadParameter",
                               "The specified version (" + api->second +
                                   ") is not recognized. "
                                   "Consider using the latest supported version (2025-07-01)."));

  const bool allowed_client = v.allowed_clients.empty() || std::find(v.allowed_clients.begin(), v.allowed_clients.end(),
                                                                     token->client_id) != v.allowed_clients.end();
  const bool is_list = seg.size() == 1;
  const std::string action = is_list ? "Microsoft.KeyVault/vaults/secrets/readMetadata/action"
                                     : "Microsoft.KeyVault/vaults/secrets/getSecret/action";
  const std::string verb = is_list ? "list" : "get";
  const std::string name = seg.size() > 1 ? url_decode(seg[1]) : std::string();
  // A refusal that a role assignment or access policy lifts: with accessAppliesAfterMs, it ends that long
  // after the vault's first one.
  auto refuses = [&](const std::string& inner) {
    if (inner.empty()) return false;
    if (!v.access_applies_after_ms || (inner != "ForbiddenByRbac" && inner != "AccessDenied")) return true;
    const std::int64_t now = s.now_ms();
    return now < s.first_refusals.first(v.name, now) + *v.access_applies_after_ms;
  };
  if (!allowed_client && refuses("ForbiddenByRbac"))
    return done(forbidden(v, "ForbiddenByRbac", *token, action, name, verb));
  if (refuses(v.forbidden)) return done(forbidden(v, v.forbidden, *token, action, name, verb));

  if (is_list) {
    if (refuses(v.list_forbidden)) return done(forbidden(v, v.list_forbidden, *token, action, "", verb));
    int page_size = v.page_size;
    std::string maxresults;
    if (auto m = q.find("maxresults"); m != q.end()) {
      maxresults = m->second;
      static const std::regex digits("^[0-9]{1,9}$");
      int n = std::regex_match(maxresults, digits) ? std::stoi(maxresults) : -1;
      if (n < 1 || n > 25)
        return done(
            keyvault_error(400, "BadParameter",
                           "Invalid value for maxresults: '" + maxresults + "'. The value must be between 1 and 25."));
      page_size = std::min(page_size, n);
    }
    std::size_t offset = 0;
    int page = 1;
    if (auto sk = q.find("$skiptoken"); sk != q.end() && !sk->second.empty())
      if (!read_skiptoken(sk->second, offset, page))
        return done(keyvault_error(400, "BadParameter", "The $skiptoken query parameter is invalid."));

    std::size_t end = offset;
    bool more;
    if (v.empty_pages.count(page)) {
      more = true;  // an empty page that still points at the next one
    } else {
      end = std::min(v.secrets.size(), offset + std::size_t(page_size));
      more = end < v.secrets.size();
    }
    rapidjson::StringBuffer buf;
    Writer w(buf);
    w.StartObject();
    w.Key("value");
    if (v.secrets.empty() && v.null_value_when_empty) {
      w.Null();
    } else {
      w.StartArray();
      for (std::size_t i = offset; i < end; ++i) {
        const Secret& secret = v.secrets[i];
        w.StartObject();
        std::string id = "https://" + v.host() + "/secrets/" + secret.name;
        w.Key("id");
        w.String(id.c_str(), rapidjson::SizeType(id.size()));
        write_attributes(w, secret.current());
        write_common(w, secret.current());
        w.EndObject();
      }
      w.EndArray();
    }
    w.Key("nextLink");
    if (more) {
      std::string link = "https://" + (v.next_link_host.empty() ? v.host() : v.next_link_host) +
                         ":443/secrets?api-version=" + url_encode(api->second) +
                         "&$skiptoken=" + make_skiptoken(end, page + 1) +
                         (maxresults.empty() ? "" : "&maxresults=" + maxresults);
      w.String(link.c_str(), rapidjson::SizeType(link.size()));
    } else {
      w.Null();
    }
    w.EndObject();
    HttpResponse r;
    r.set("Content-Type", "application/json; charset=utf-8");
    r.body = buf.GetString();
    return done(r);
  }

  // GET /secrets/{name}, /secrets/{name}/ and /secrets/{name}/{version}
  if (seg.size() > 3) return done(keyvault_error(404, "NotFound", "The requested path was not found."));
  if (!is_valid_secret_name(name))
    return done(keyvault_error(400, "BadParameter", "The request URI contains an invalid name: " + name));
  // Authorization comes before the lookup: without Get permission a name that does not exist is 403 too.
  if (refuses(v.get_forbidden)) return done(forbidden(v, v.get_forbidden, *token, action, name, verb));
  const std::string version = seg.size() == 3 ? to_lower(url_decode(seg[2])) : std::string();
  const Secret* secret = v.find_secret(to_lower(name));
  const SecretVersion* sv = nullptr;
  if (secret) {
    if (version.empty()) sv = &secret->current();
    else
      for (const auto& ver : secret->versions)
        if (ver.version == version) sv = &ver;
  }
  if (!sv)
    return done(
        keyvault_error(404, "SecretNotFound",
                       "A secret with (name/id) " + name + (version.empty() ? "" : "/" + version) +
                           " was not found in this key vault. If you recently deleted this secret you may be able to "
                           "recover it using the correct recovery command. For help resolving this issue, please see "
                           "https://go.microsoft.com/fwlink/?linkid=2125182"));
  if (refuses(secret->forbidden)) return done(forbidden(v, secret->forbidden, *token, action, secret->name, verb));
  if (!sv->enabled) return done(forbidden(v, "SecretDisabled", *token, action, secret->name, verb));
  HttpResponse r;
  r.set("Content-Type", "application/json; charset=utf-8");
  r.body = secret_bundle(v, *secret, *sv);
  return done(r);
}

HttpResponse handle_foreign(Services&, const HttpRequest& req) {
  // A host that must never receive anything; it answers harmlessly so that a client that does leak
  // carries on and the request log shows the leak.
  Target t = split_target(req.target);
  HttpResponse r;
  r.set("Content-Type", "application/json; charset=utf-8");
  if (req.method == "GET" && t.path == "/secrets") {
    r.body = "{\"value\":[],\"nextLink\":null}";
  } else {
    r.status = 404;
    r.body = "{\"error\":{\"code\":\"NotFound\",\"message\":\"foreign host: nothing here\"}}";
  }
  return r;
}

std::string json_escape(std::string_view s) {
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(s.size() + 8);
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += hex[c >> 4];
          out += hex[c & 15];
        } else out += char(c);
    }
  }
  return out;
}

}  // namespace fake

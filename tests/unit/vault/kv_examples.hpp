// Loads /work/shared/kv-examples/<file> (envelope {"parameters":…, "responses":{"<status>":{"headers","body"}}})
// as a net::Response with the body re-serialised as compact JSON.
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "net/http.hpp"

namespace fkv::test {

inline net::Response kv_example(const std::string& file) {
  std::ifstream in(std::string(FKV_SHARED_DIR) + "/kv-examples/" + file);
  if (!in) throw std::runtime_error("cannot open kv example " + file);
  std::stringstream text;
  text << in.rdbuf();
  rapidjson::Document doc;
  doc.Parse(text.str().c_str());
  if (doc.HasParseError()) throw std::runtime_error("bad JSON in " + file);
  const auto& responses = doc["responses"];
  auto it = responses.MemberBegin();
  net::Response r;
  r.status = std::stoi(it->name.GetString());
  if (it->value.HasMember("headers")) {
    for (const auto& h : it->value["headers"].GetObject())
      r.headers.push_back({h.name.GetString(), h.value.GetString()});
  }
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  it->value["body"].Accept(writer);
  r.body = buffer.GetString();
  return r;
}

}  // namespace fkv::test

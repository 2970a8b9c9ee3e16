#include "agent_log.hpp"

#include <algorithm>
#include <cctype>

namespace fkv::test {
namespace {

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  std::size_t pos = 0;
  while ((pos = s.find(from, pos)) != std::string::npos) {
    s.replace(pos, from.size(), to);
    pos += to.size();
  }
}

}  // namespace

bool CaseInsensitiveLess::operator()(const std::string& a, const std::string& b) const {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(),
                                      [](char x, char y) { return lower(x) < lower(y); });
}

std::string agent_unescape(std::string_view text) {
  std::string s(text);
  replace_all(s, "%3B", ";");
  replace_all(s, "%0D", "\r");
  replace_all(s, "%0A", "\n");
  replace_all(s, "%5D", "]");
  replace_all(s, "%AZP25", "%");
  return s;
}

std::vector<std::string> agent_split_lines(std::string_view text) {
  std::vector<std::string> lines;
  std::string current;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\r' || c == '\n') {
      lines.push_back(current);
      current.clear();
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else {
      current += c;
    }
  }
  if (!current.empty()) lines.push_back(current);  // like TextReader.ReadLine: no empty last line
  return lines;
}

std::optional<AgentCommand> agent_parse_line(std::string_view line) {
  constexpr std::string_view prefix = "##vso[";
  const auto start = line.find(prefix);
  if (start == std::string_view::npos) return std::nullopt;
  std::string_view rest = line.substr(start + prefix.size());
  const auto close = rest.find(']');
  if (close == std::string_view::npos) return std::nullopt;
  std::string_view header = rest.substr(0, close);
  AgentCommand cmd;
  cmd.data = agent_unescape(rest.substr(close + 1));

  const auto space = header.find(' ');
  std::string_view name = header.substr(0, space);
  const auto dot = name.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == name.size() ||
      name.find('.', dot + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  cmd.area = std::string(name.substr(0, dot));
  cmd.event = std::string(name.substr(dot + 1));
  if (space != std::string_view::npos) {
    std::string_view props = header.substr(space + 1);
    std::size_t pos = 0;
    while (pos <= props.size()) {
      const auto semi = props.find(';', pos);
      std::string_view piece = props.substr(pos, semi == std::string_view::npos ? std::string_view::npos : semi - pos);
      if (!piece.empty()) {
        const auto eq = piece.find('=');
        if (eq != std::string_view::npos) {
          std::string key(piece.substr(0, eq));
          std::string_view value = piece.substr(eq + 1);
          if (!value.empty() && !key.empty()) cmd.properties[key] = agent_unescape(value);
        }
      }
      if (semi == std::string_view::npos) break;
      pos = semi + 1;
    }
  }
  return cmd;
}

bool agent_bool(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return iequals(text, "true");
}

AgentLog parse_agent_log(std::string_view stdout_text) {
  AgentLog log;
  auto prop = [](const AgentCommand& c, const std::string& key) -> std::string {
    auto it = c.properties.find(key);
    return it == c.properties.end() ? std::string() : it->second;
  };
  for (const auto& line : agent_split_lines(stdout_text)) {
    auto parsed = agent_parse_line(line);
    if (!parsed) {
      if (line.find("##vso") != std::string::npos) log.rejected.push_back(line);
      else log.plain.push_back(line);
      continue;
    }
    const AgentCommand& c = *parsed;
    if (!iequals(c.area, "task")) {
      log.rejected.push_back(line);
      continue;
    }
    if (iequals(c.event, "setsecret")) {
      if (!c.data.empty()) log.masked.push_back(c.data);
    } else if (iequals(c.event, "setvariable")) {
      const std::string name = prop(c, "variable");
      const bool secret = agent_bool(prop(c, "issecret"));
      if (name.empty()) {
        log.rejected.push_back(line);
        continue;
      }
      if (secret && c.data.find('\n') != std::string::npos) {
        auto knob = log.variables.find("SYSTEM_UNSAFEALLOWMULTILINESECRET");
        if (knob == log.variables.end() || !agent_bool(knob->second.value)) {
          log.rejected.push_back(line);
          continue;
        }
      }
      if (secret && !c.data.empty()) log.masked.push_back(c.data);
      auto it = log.variables.find(name);
      if (it == log.variables.end()) {
        log.variable_order.push_back(name);
        log.variables[name] = AgentVariable{c.data, secret};
      } else {
        it->second.value = c.data;
        it->second.secret = it->second.secret || secret;  // once secret, always secret
      }
    } else if (iequals(c.event, "logissue") || iequals(c.event, "issue")) {
      const std::string type = prop(c, "type");
      if (iequals(type, "error")) log.errors.push_back(c.data);
      else if (iequals(type, "warning")) log.warnings.push_back(c.data);
      else log.rejected.push_back(line);
    } else if (iequals(c.event, "complete")) {
      const std::string result = prop(c, "result");
      static const char* const valid[] = {"Succeeded", "SucceededWithIssues", "Failed", "Canceled", "Skipped"};
      if (std::find(std::begin(valid), std::end(valid), result) == std::end(valid)) {  // case-sensitive
        log.rejected.push_back(line);
        continue;
      }
      log.result = result;
      log.result_message = c.data;
    } else if (iequals(c.event, "debug")) {
      log.debug.push_back(c.data);
    } else {
      log.rejected.push_back(line);
    }
  }
  return log;
}

}  // namespace fkv::test

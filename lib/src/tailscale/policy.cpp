#include "meshops/tailscale/policy.hpp"

#include "meshops/sys/json.hpp"

#include "meshops/error.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace meshops::tailscale {
namespace {

struct Offset {
  int line = 1, col = 1;
};

Offset position(std::string_view text, std::size_t off) {
  Offset p;
  for (std::size_t i = 0; i < off && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++p.line;
      p.col = 1;
    } else {
      ++p.col;
    }
  }
  return p;
}

struct OffsetError : std::runtime_error {
  OffsetError(std::size_t o, const std::string& what) : std::runtime_error(what), offset(o) {}
  std::size_t offset;
};

// The byte offset where each entry of "tests" starts, to name it in errors (nlohmann's DOM
// keeps no positions): the parser's callback sees every value start at depth 2 of "tests".
std::vector<std::size_t> test_offsets(const std::string& json) {
  std::vector<std::size_t> out;
  std::size_t pos = json.find("\"tests\"");
  if (pos == std::string::npos) return out;
  pos = json.find('[', pos);
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = pos; i < json.size(); ++i) {
    char c = json[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '[' || c == '{') {
      if (depth == 1 && c == '{') out.push_back(i);
      ++depth;
    } else if (c == ']' || c == '}') {
      if (--depth == 0) break;
    }
  }
  return out;
}

std::vector<std::string> strings_at(const nlohmann::json& obj, const char* key, std::size_t at) {
  std::vector<std::string> out;
  if (!obj.contains(key)) return out;
  const auto& v = obj[key];
  if (!v.is_array()) throw OffsetError(at, fmt::format("tests: \"{}\" must be an array of strings", key));
  for (const auto& s : v) {
    if (!s.is_string()) throw OffsetError(at, fmt::format("tests: \"{}\" must be an array of strings", key));
    out.push_back(s.get<std::string>());
  }
  return out;
}

// nlohmann's parse_error.byte is just past the token it could not take: step back to where that
// token starts, which is what an editor (and headscale's hujson) points at.
std::size_t token_start(const std::string& json, std::size_t past) {
  if (past == 0 || past > json.size()) return std::min(past, json.size());
  std::size_t i = past - 1;
  if (json[i] == '"') {
    while (i > 0) {
      --i;
      if (json[i] == '"' && (i == 0 || json[i - 1] != '\\')) return i;
    }
    return 0;
  }
  if (std::isalnum(static_cast<unsigned char>(json[i]))) {
    while (i > 0 && (std::isalnum(static_cast<unsigned char>(json[i - 1])) || json[i - 1] == '.' || json[i - 1] == '-')) --i;
  }
  return i;
}

} // namespace

std::string hujson_to_json(std::string_view text) {
  std::string out(text);
  std::size_t last_comma = std::string::npos;  // a comma that a closing bracket may make trailing
  for (std::size_t i = 0; i < out.size(); ++i) {
    char c = out[i];
    if (c == '"') {
      last_comma = std::string::npos;
      for (++i; i < out.size() && out[i] != '"'; ++i) {
        if (out[i] == '\\') {
          ++i;  // the escaped character, whatever it is
          continue;
        }
        if (out[i] == '\n') throw OffsetError(i, "a string runs past the end of its line");
      }
      if (i >= out.size()) throw OffsetError(out.size(), "a string is not closed");
    } else if (c == '/' && i + 1 < out.size() && out[i + 1] == '/') {
      while (i < out.size() && out[i] != '\n') out[i++] = ' ';
    } else if (c == '/' && i + 1 < out.size() && out[i + 1] == '*') {
      std::size_t start = i;
      auto end = out.find("*/", i + 2);
      if (end == std::string::npos) throw OffsetError(start, "a /* comment is not closed");
      for (; i < end + 2; ++i)
        if (out[i] != '\n') out[i] = ' ';
      --i;
    } else if (c == ',') {
      last_comma = i;
    } else if (c == ']' || c == '}') {
      if (last_comma != std::string::npos) out[last_comma] = ' ';
      last_comma = std::string::npos;
    } else if (!std::isspace(static_cast<unsigned char>(c))) {
      last_comma = std::string::npos;
    }
  }
  return out;
}

PolicyFile parse_policy(std::string_view text, const std::string& origin) {
  auto fail = [&](std::size_t off, const std::string& what) -> Error {
    auto p = position(text, off);
    return Error(Exit::unknown, fmt::format("{}:{}:{}: {}", origin, p.line, p.col, what));
  };
  std::string json;
  try {
    json = hujson_to_json(text);
  } catch (const OffsetError& e) {
    throw fail(e.offset, e.what());
  }
  nlohmann::json doc;
  try {
    doc = sys::parse_json(json);
  } catch (const sys::JsonError& e) {
    std::string why = e.reason();
    if (auto dash = why.rfind(" - "); dash != std::string::npos) why = why.substr(dash + 3);
    throw fail(e.kind() == sys::JsonError::Kind::syntax ? token_start(json, e.byte() + 1) : e.byte(), "not valid HuJSON: " + why);
  }
  if (!doc.is_object()) throw fail(0, "the policy must be an object");
  PolicyFile pf;
  if (doc.contains("hosts") && doc["hosts"].is_object())
    for (const auto& [k, v] : doc["hosts"].items())
      if (v.is_string()) pf.hosts.emplace_back(k, v.get<std::string>());
  if (!doc.contains("tests")) return pf;
  if (!doc["tests"].is_array()) throw fail(json.find("\"tests\""), "\"tests\" must be an array");
  auto offsets = test_offsets(json);
  const auto& tests = doc["tests"];
  for (std::size_t i = 0; i < tests.size(); ++i) {
    std::size_t at = i < offsets.size() ? offsets[i] : 0;
    try {
      const auto& t = tests[i];
      if (!t.is_object()) throw OffsetError(at, "tests: each entry must be an object");
      PolicyTest pt;
      pt.line = position(text, at).line;
      if (!t.contains("src") || !t["src"].is_string()) throw OffsetError(at, "tests: an entry needs \"src\" (a string)");
      pt.src = t["src"].get<std::string>();
      if (t.contains("proto")) {
        if (!t["proto"].is_string()) throw OffsetError(at, "tests: \"proto\" must be a string");
        pt.proto = t["proto"].get<std::string>();
      }
      pt.accept = strings_at(t, "accept", at);
      pt.deny = strings_at(t, "deny", at);
      for (const auto& [k, v] : t.items())
        if (k != "src" && k != "proto" && k != "accept" && k != "deny" && k != "srcPostureAttrs")
          throw OffsetError(at, fmt::format("tests: unknown key \"{}\"", k));
      pf.tests.push_back(std::move(pt));
    } catch (const OffsetError& e) {
      throw fail(e.offset, e.what());
    }
  }
  return pf;
}

} // namespace meshops::tailscale

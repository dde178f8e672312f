#include "json_fields.hpp"

#include "meshops/sys/json.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace meshops::tailscale::detail {

using json = nlohmann::json;

json parse_object(std::string_view text) {
  json doc;
  try {
    doc = sys::parse_json(text);
  } catch (const sys::JsonError& e) {
    // A number no double holds or a nesting too deep is JSON of a kind no reader takes: said so.
    if (e.kind() == sys::JsonError::Kind::syntax) throw std::runtime_error(fmt::format("not JSON (at byte {})", e.byte() + 1));
    throw std::runtime_error(fmt::format("not usable JSON (at byte {}): {}", e.byte() + 1, e.reason()));
  }
  if (!doc.is_object()) throw std::runtime_error(fmt::format("(top level): expected an object, got {}", doc.type_name()));
  return doc;
}

Fields::Fields(const json& obj, std::string path) : obj_(obj), path_(std::move(path)) {
  if (!obj_.is_object() && !obj_.is_null()) fail("", "an object", obj_);
}

const json* Fields::find(const char* key) const {
  if (!obj_.is_object()) return nullptr;
  auto it = obj_.find(key);
  if (it == obj_.end() || it->is_null()) return nullptr;
  return &*it;
}

void Fields::fail(const std::string& key, const char* want, const json& got) const {
  auto where = key.empty() ? path_ : at(key);
  throw std::runtime_error(fmt::format("{}: expected {}, got {}", where.empty() ? "(top level)" : where, want, got.type_name()));
}

std::string Fields::str(const char* key) const {
  const json* v = find(key);
  if (!v) return {};
  if (!v->is_string()) fail(key, "a string", *v);
  return v->get<std::string>();
}

bool Fields::boolean(const char* key) const {
  const json* v = find(key);
  if (!v) return false;
  if (!v->is_boolean()) fail(key, "true or false", *v);
  return v->get<bool>();
}

std::int64_t Fields::integer(const char* key, std::int64_t lo, std::int64_t hi) const {
  const json* v = find(key);
  if (!v) return 0;
  if (!v->is_number_integer()) fail(key, "an integer", *v);
  try {
    return sys::json_integer(*v, at(key), lo, hi);
  } catch (const Error& e) {
    throw std::runtime_error(e.what());
  }
}

double Fields::number(const char* key) const {
  const json* v = find(key);
  if (!v) return 0;
  if (!v->is_number()) fail(key, "a number", *v);
  return v->get<double>();
}

std::vector<std::string> Fields::strings(const char* key) const {
  std::vector<std::string> out;
  const json* v = find(key);
  if (!v) return out;
  if (!v->is_array()) fail(key, "an array", *v);
  for (std::size_t i = 0; i < v->size(); ++i) {
    if (!(*v)[i].is_string()) fail(fmt::format("{}[{}]", key, i), "a string", (*v)[i]);
    out.push_back((*v)[i].get<std::string>());
  }
  return out;
}

const json& Fields::child(const char* key) const {
  static const json null;
  const json* v = find(key);
  return v ? *v : null;
}

} // namespace meshops::tailscale::detail

#pragma once
// Reading tailscaled's JSON defensively, shared by every parser of the tailscale module: every
// field optional, null read as absent, a wrong type an error naming the field's JSON path.
// Internal to the module (not under include/).
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshops::tailscale::detail {

/// Parses text as a JSON object. Throws std::runtime_error "not JSON (at byte N)" or
/// "(top level): expected an object, got TYPE".
nlohmann::json parse_object(std::string_view text);

/// Typed reads from one JSON object at a path ("" for the top level, "Peer[\"nodekey:..\"]").
class Fields {
public:
  /// obj must be an object or null (null reads as all fields absent).
  Fields(const nlohmann::json& obj, std::string path);

  bool has(const char* key) const { return find(key) != nullptr; }
  std::string str(const char* key) const;
  bool boolean(const char* key) const;
  /// An integer from lo to hi (absent: 0); a fraction, 1e30 or 2^64 is an error naming the key.
  std::int64_t integer(const char* key, std::int64_t lo = INT64_MIN, std::int64_t hi = INT64_MAX) const;
  double number(const char* key) const;
  std::vector<std::string> strings(const char* key) const;
  /// The value at key, or a null value when absent.
  const nlohmann::json& child(const char* key) const;
  /// The path of key below this object, for nested Fields and error messages.
  std::string at(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }
  /// Throws "PATH.KEY: expected WANT, got TYPE".
  [[noreturn]] void fail(const std::string& key, const char* want, const nlohmann::json& got) const;

private:
  const nlohmann::json* find(const char* key) const;
  const nlohmann::json& obj_;
  std::string path_;
};

} // namespace meshops::tailscale::detail

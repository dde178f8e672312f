#include "meshops/monitor/state_file.hpp"

#include "meshops/error.hpp"
#include "meshops/sys/atomic_file.hpp"
#include "meshops/sys/json.hpp"
#include "meshops/sys/time.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <sys/stat.h>

namespace meshops::monitor {
namespace {

using ojson = nlohmann::ordered_json;
using json = nlohmann::json;

ojson time_or_null(const std::optional<Clock::time_point>& t) {
  return sys::or_null(t, [](Clock::time_point v) { return sys::format_utc(v); });
}

std::optional<Clock::time_point> read_time(const json& doc, const char* key) {
  auto it = doc.find(key);
  if (it == doc.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) throw std::runtime_error(fmt::format("{}: expected a time string", key));
  auto t = sys::parse_rfc3339(it->get<std::string>());
  if (!t) throw std::runtime_error(fmt::format("{}: not an RFC 3339 time", key));
  // The machine counts on system_clock, which ends in 2262: a later time is no state we wrote.
  auto clock = t->to_system();
  if (!clock) throw std::runtime_error(fmt::format("{}: {} is out of range (1678 to 2261)", key, sys::format_utc(*t)));
  return clock;
}

template <class T>
T read(const json& doc, const char* key, T fallback) {
  auto it = doc.find(key);
  if (it == doc.end() || it->is_null()) return fallback;
  // Counters are integers in their type's range: 1e30 is an error naming the key, never a
  // wrapped count.
  if constexpr (std::is_integral_v<T>) return sys::json_integer<T>(*it, key);
  try {
    return it->get<T>();
  } catch (const json::exception&) {
    throw std::runtime_error(fmt::format("{}: wrong type ({})", key, it->type_name()));
  }
}

Mode read_mode(const json& doc, const char* key) {
  auto s = read<std::string>(doc, key, "primary");
  auto m = parse_mode(s);
  if (!m) throw std::runtime_error(fmt::format("{}: unknown mode \"{}\"", key, s));
  return *m;
}

} // namespace

std::string state_path(const std::string& state_dir) { return state_dir + "/ts-monitor.json"; }

ojson state_to_json(const MonitorState& st) {
  ojson transitions = ojson::array();
  for (const auto& t : st.transitions)
    transitions.push_back({{"at", sys::format_utc(t.at)}, {"from", to_string(t.from)}, {"to", to_string(t.to)},
                           {"from_exit_node", t.from_exit_node}, {"to_exit_node", t.to_exit_node}, {"reason", t.reason}});
  return {{"schema", "meshops/ts-monitor-state/1"},
          {"mode", to_string(st.mode)},
          {"exit_node", st.exit_node},
          {"consecutive_failures", st.consecutive_failures},
          {"primary_healthy_streak", st.primary_healthy_streak},
          {"checks", st.checks},
          {"failed_checks", st.failed_checks},
          {"unknown_checks", st.unknown_checks},
          {"last_health", to_string(st.last_health)},
          {"last_reason", st.last_reason},
          {"last_check", time_or_null(st.last_check)},
          {"last_restore_probe", time_or_null(st.last_restore_probe)},
          {"transitions", transitions}};
}

MonitorState state_from_json(std::string_view text) {
  json doc;
  try {
    doc = sys::parse_json(text);
  } catch (const sys::JsonError& e) {
    throw std::runtime_error(fmt::format("not JSON: {}", e.what()));
  }
  if (!doc.is_object()) throw std::runtime_error("expected an object");
  if (read<std::string>(doc, "schema", "") != "meshops/ts-monitor-state/1")
    throw std::runtime_error("schema: expected \"meshops/ts-monitor-state/1\"");
  MonitorState st;
  st.mode = read_mode(doc, "mode");
  st.exit_node = read<std::string>(doc, "exit_node", "");
  st.consecutive_failures = read<int>(doc, "consecutive_failures", 0);
  st.primary_healthy_streak = read<int>(doc, "primary_healthy_streak", 0);
  st.checks = read<std::uint64_t>(doc, "checks", 0);
  st.failed_checks = read<std::uint64_t>(doc, "failed_checks", 0);
  st.unknown_checks = read<std::uint64_t>(doc, "unknown_checks", 0);
  auto h = read<std::string>(doc, "last_health", "unknown");
  st.last_health = h == "healthy" ? Health::healthy : h == "failed" ? Health::failed : Health::unknown;
  st.last_reason = read<std::string>(doc, "last_reason", "");
  st.last_check = read_time(doc, "last_check");
  st.last_restore_probe = read_time(doc, "last_restore_probe");
  if (auto it = doc.find("transitions"); it != doc.end() && it->is_array()) {
    for (const auto& t : *it) {
      if (!t.is_object()) throw std::runtime_error("transitions: expected objects");
      auto at = read_time(t, "at");
      st.transitions.push_back({at.value_or(Clock::time_point{}), read_mode(t, "from"), read_mode(t, "to"),
                                read<std::string>(t, "from_exit_node", ""), read<std::string>(t, "to_exit_node", ""),
                                read<std::string>(t, "reason", "")});
    }
  }
  return st;
}

std::optional<MonitorState> load_state(const std::string& path) {
  struct stat sb{};
  if (::stat(path.c_str(), &sb) != 0 && errno == ENOENT) return std::nullopt;
  auto text = sys::read_file(path);
  try {
    return state_from_json(text);
  } catch (const std::runtime_error& e) {
    throw Error(Exit::unknown, fmt::format("{}: {}", path, e.what()), "remove the file to start afresh");
  }
}

void save_state(const std::string& path, const MonitorState& st) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  if (ec) throw Error(Exit::unknown, fmt::format("cannot create {}: {}", std::filesystem::path(path).parent_path().string(), ec.message()));
  sys::write_file_atomic(path, state_to_json(st).dump(2) + "\n", 0644);
}

} // namespace meshops::monitor

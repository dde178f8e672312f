#pragma once
// ts-monitor's state on disk: one JSON document (meshops/ts-monitor-state/1) written
// atomically after every change, so a restarted monitor resumes where it was.
#include "meshops/monitor/failover.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace meshops::monitor {

/// The state file's path under a state directory: DIR/ts-monitor.json.
std::string state_path(const std::string& state_dir);

/// The state as JSON (snake_case keys, RFC 3339 times).
nlohmann::ordered_json state_to_json(const MonitorState& st);
/// Parses what state_to_json wrote. Throws std::runtime_error naming the bad key.
MonitorState state_from_json(std::string_view text);

/// Reads the state file; nullopt when it does not exist. Throws meshops::Error
/// (Exit::unknown) naming the file when it exists but cannot be read or parsed.
std::optional<MonitorState> load_state(const std::string& path);
/// Writes the state file atomically (mode 0644), creating the directory if needed. Throws
/// meshops::Error naming the file.
void save_state(const std::string& path, const MonitorState& st);

} // namespace meshops::monitor

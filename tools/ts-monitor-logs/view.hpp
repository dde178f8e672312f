#pragma once
// ts-monitor-logs' views of a record: a coloured line for people, an NDJSON object.
#include "record.hpp"

#include "meshops/cli/output.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace ts_monitor_logs {

/// The NDJSON object: ts (null when unknown), event, source, category, level, peer (null when none), message,
/// and from/to for derived events.
nlohmann::ordered_json to_json(const Record& r);
/// One line for people: "TIME LEVEL CATEGORY [PEER] message", escaped, coloured by level.
std::string to_text(const Record& r, const meshops::cli::Output& out);

} // namespace ts_monitor_logs

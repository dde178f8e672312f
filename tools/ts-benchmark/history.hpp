#pragma once
// The --history file: one result document (view.hpp's to_json) a line, appended by each run,
// and --compare's reading of it.
#include "result.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace ts_benchmark {

/// Compares r with the last line of history_text that has the same kind and target; nullopt
/// when there is none. Lines that are not JSON are skipped (a truncated last line after a
/// crash must not stop the comparison), and so are values of another type under a key.
std::optional<Comparison> compare(const Result& r, const std::string& history_text);

/// Appends doc to the file at path as one line, in one write: concurrent runs appending to one
/// file never interleave. Throws meshops::Error (UNKNOWN) "--history PATH: reason".
void append_history(const std::string& path, const nlohmann::ordered_json& doc);

} // namespace ts_benchmark

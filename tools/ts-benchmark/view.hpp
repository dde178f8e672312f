#pragma once
// ts-benchmark's views of a result: JSON (meshops/ts-benchmark/1, also the --history line)
// and text, each with the comparison when --compare found an earlier run.
#include "result.hpp"

#include "meshops/cli/output.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace ts_benchmark {

/// The result as JSON, schema first; generated_at is the time given.
nlohmann::ordered_json to_json(const Result& r, const std::string& generated_at);

/// The comparison as JSON: {previous_at, changes: [{metric, previous, current, change_pct}]}.
nlohmann::ordered_json to_json(const Comparison& c);

/// The human view.
std::string to_text(const Result& r, const std::optional<Comparison>& c, const meshops::cli::Output& out);

} // namespace ts_benchmark

#pragma once
// What the view tests of every tool share: the plain output of a pipe (no colour, no width
// limit) and a document without the time it was made, so a view compares exactly.
#include "meshops/cli/output.hpp"

#include <nlohmann/json.hpp>

#include <string>

inline meshops::cli::Output plain_output() {
  meshops::cli::Output o;
  o.width = 0;
  return o;
}

/// The document as compact JSON, without its generated_at.
inline std::string without_time(nlohmann::ordered_json doc) {
  doc.erase("generated_at");
  return doc.dump();
}

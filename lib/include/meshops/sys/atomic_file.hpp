#pragma once
// Writing a file so that readers see the old content or the new, never a partial one
// (Prometheus textfile collector, ts-monitor's state).
#include <string>
#include <string_view>

namespace meshops::sys {

/// Writes content to a temporary file beside path, fsyncs it and renames it over path.
/// mode is the new file's permission bits. Throws meshops::Error (Exit::unknown) naming the
/// path on failure, after removing the temporary file.
void write_file_atomic(const std::string& path, std::string_view content, unsigned mode = 0644);

/// Reads a whole file. Throws meshops::Error (Exit::unknown) naming the path on failure.
std::string read_file(const std::string& path);

} // namespace meshops::sys

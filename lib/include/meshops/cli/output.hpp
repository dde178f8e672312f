#pragma once
// How a tool prints: decided once in tool_main from the flags and the terminal, then passed
// down. stdout carries data only; messages go to stderr.
#include <nlohmann/json_fwd.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace meshops::cli {

/// What stdout carries; none: --prom-file alone, the file is the output; plugin: the
/// Monitoring Plugins status line (--plugin).
enum class Format { text, json, prom, plugin, none };
enum class ColorMode { auto_, always, never };

struct Output {
  Format format = Format::text;
  bool color = false;        ///< ANSI colour in text output
  bool legend = true;        ///< table header and footer line
  bool json_pretty = false;  ///< indented JSON (on a terminal), compact when piped
  std::size_t width = 0;     ///< terminal columns; 0 = do not fit (not a terminal)
};

/// Decides colour the way the contract says: never with NO_COLOR or --color never, always with
/// --color always, else only when fd is a terminal and TERM is not "dumb".
bool use_color(ColorMode mode, int fd = 1);

/// The terminal's width in columns, or 0 when fd is not a terminal ($COLUMNS wins when set).
std::size_t terminal_width(int fd = 1);

/// Writes to stdout. A closed pipe (EPIPE, e.g. `| head`) ends the process quietly with exit 0.
void write_stdout(std::string_view s);

/// Whether anything was written through write_stdout (print_json, print_ndjson) yet.
bool stdout_written();

/// A JSON document as text: invalid UTF-8 in strings is replaced, never thrown.
/// ordered_json keeps keys in insertion order ("schema" first), json sorts them.
std::string dump_json(const nlohmann::json& doc, bool pretty);
std::string dump_json(const nlohmann::ordered_json& doc, bool pretty);

/// Prints one JSON document (pretty or compact per out) and a newline to stdout.
void print_json(const nlohmann::json& doc, const Output& out);
void print_json(const nlohmann::ordered_json& doc, const Output& out);

/// Prints one NDJSON line (compact) and flushes, for -f/--follow streams.
void print_ndjson(const nlohmann::json& record);
void print_ndjson(const nlohmann::ordered_json& record);

} // namespace meshops::cli

#include "meshops/cli/output.hpp"

#include "meshops/cli/escape.hpp"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sys/ioctl.h>
#include <unistd.h>

namespace meshops::cli {

bool use_color(ColorMode mode, int fd) {
  if (mode == ColorMode::never) return false;
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color && *no_color) return false;
  if (mode == ColorMode::always) return true;
  const char* term = std::getenv("TERM");
  return ::isatty(fd) && !(term && std::strcmp(term, "dumb") == 0);
}

std::size_t terminal_width(int fd) {
  if (!::isatty(fd)) return 0;
  if (const char* cols = std::getenv("COLUMNS")) {
    long n = std::strtol(cols, nullptr, 10);
    if (n > 0) return static_cast<std::size_t>(n);
  }
  winsize ws{};
  if (::ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 80;
}

namespace {
bool g_stdout_written = false;
}

bool stdout_written() { return g_stdout_written; }

void write_stdout(std::string_view s) {
  g_stdout_written = g_stdout_written || !s.empty();
  if (std::fwrite(s.data(), 1, s.size(), stdout) != s.size() || std::ferror(stdout)) {
    // The reader went away (`| head`): not an error, the job is done.
    if (errno == EPIPE) std::_Exit(0);
  }
}

namespace {

template <typename Json>
std::string dump(const Json& doc, bool pretty) {
  // nlohmann escapes only what JSON must (< 0x20): C1 controls, DEL and bidi overrides from a
  // peer name or a log line would reach the terminal of whoever reads the document.
  return json_escape_hidden(doc.dump(pretty ? 2 : -1, ' ', false, Json::error_handler_t::replace));
}

void flush_line() {
  if (std::fflush(stdout) != 0 && errno == EPIPE) std::_Exit(0);
}

} // namespace

std::string dump_json(const nlohmann::json& doc, bool pretty) { return dump(doc, pretty); }
std::string dump_json(const nlohmann::ordered_json& doc, bool pretty) { return dump(doc, pretty); }

void print_json(const nlohmann::json& doc, const Output& out) { write_stdout(dump(doc, out.json_pretty) + "\n"); }
void print_json(const nlohmann::ordered_json& doc, const Output& out) { write_stdout(dump(doc, out.json_pretty) + "\n"); }

void print_ndjson(const nlohmann::json& record) {
  write_stdout(dump(record, false) + "\n");
  flush_line();
}
void print_ndjson(const nlohmann::ordered_json& record) {
  write_stdout(dump(record, false) + "\n");
  flush_line();
}

} // namespace meshops::cli

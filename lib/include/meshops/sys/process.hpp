#pragma once
// Running another program: from an argv (never through a shell), with a deadline, its output
// captured. Used for `nginx -t`, `iperf3 -J`, the `tailscale` CLI fallback.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace meshops::sys {

struct RunOptions {
  /// The program is killed (SIGTERM, then SIGKILL after 1 s) when this runs out.
  std::chrono::milliseconds timeout{5000};
  /// Bytes written to the child's stdin, which is then closed. Empty: stdin is /dev/null.
  std::string input;
  /// Extra environment entries "KEY=VALUE" added to (or replacing in) the inherited environment.
  std::vector<std::string> env;
  /// Output beyond this many bytes per stream is read and dropped (the run still completes).
  std::size_t max_output = 64u << 20;
};

struct RunResult {
  int exit_code = -1;        ///< the program's exit status; -1 when killed by a signal
  int term_signal = 0;       ///< the signal that ended it, 0 when it exited
  bool timed_out = false;    ///< we killed it at the deadline
  std::string out;           ///< captured stdout
  std::string err;           ///< captured stderr
  std::chrono::milliseconds elapsed{0};
};

/// Runs argv[0] (looked up in PATH when it has no slash) with argv.
/// Throws meshops::Error (Exit::unknown) when the program cannot be started at all,
/// e.g. "nginx: not found in PATH" or "permission denied".
RunResult run(const std::vector<std::string>& argv, const RunOptions& options = {});

/// Looks a program up in PATH the way run() does; nullopt when absent or not executable.
std::optional<std::string> find_program(const std::string& name);

} // namespace meshops::sys

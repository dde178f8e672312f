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

/// Ends every program run() has started and not yet reaped, on any thread (SIGKILL to its
/// process group, by the pid run() recorded), waits (at most 1 s) for those run() calls to
/// reap them, and makes every later run() throw instead of starting one: for a process that
/// gives up on work still running and ends (meshops-health past the deadline its checks
/// share), so no child of it outlives it. Irreversible. Returns how many programs it ended.
std::size_t stop_all_runs();

/// Looks a program up in PATH the way run() does; nullopt when absent or not executable.
std::optional<std::string> find_program(const std::string& name);

} // namespace meshops::sys

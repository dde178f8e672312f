#pragma once
// Running the real nginx binary in its test modes (`nginx -t`, `nginx -T`): without a shell,
// with a deadline, its output captured and parsed.
#include "meshops/nginx/diag.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace meshops::nginx {

/// Which nginx to run and on what.
struct Invocation {
  std::string binary = "nginx";  ///< a path, or a name looked up in PATH, then /usr/sbin
  std::string config_file;       ///< -c FILE; empty: nginx's compiled-in default
  std::string prefix;            ///< -p PREFIX; empty: nginx's compiled-in prefix
  std::chrono::milliseconds timeout{5000};
};

/// What one test run produced.
struct TestRun {
  std::string binary;                   ///< the program actually run (resolved path)
  std::vector<std::string> argv;        ///< exactly what was run
  int exit_code = 0;                    ///< nginx's exit status (0: configuration accepted)
  std::vector<Diagnostic> diagnostics;  ///< every line nginx wrote to stderr
  std::string dump;                     ///< stdout of `nginx -T`: the effective configuration
  std::chrono::milliseconds elapsed{0};

  /// nginx accepted the configuration.
  bool ok() const { return exit_code == 0; }
};

/// The argv for a test run: BINARY [-p PREFIX] [-c FILE] -t|-T (dump selects -T).
std::vector<std::string> test_argv(const Invocation& inv, const std::string& binary, bool dump);

/// Resolves inv.binary: as given when it has a slash, else PATH, else /usr/sbin and
/// /usr/local/sbin (non-root users often lack sbin in PATH). Throws meshops::Error
/// (Exit::unknown) "nginx: not found ..." when none is executable.
std::string resolve_binary(const std::string& binary);

/// Runs nginx -t (or -T when dump) and parses its output. Throws meshops::Error
/// (Exit::unknown) when nginx cannot be run, is killed, times out, or fails without saying why.
TestRun run_test(const Invocation& inv, bool dump);

} // namespace meshops::nginx

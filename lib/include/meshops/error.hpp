#pragma once
// The error every module throws when a tool cannot do its job, carrying the exit code of the
// CLI contract (DESIGN.md) so that tool_main reports it once, as `TOOL: what failed: why`.
#include <stdexcept>
#include <string>

namespace meshops {

/// Exit codes of the CLI contract: the Monitoring Plugins convention plus 64 for bad usage.
enum class Exit : int { ok = 0, warning = 1, critical = 2, unknown = 3, usage = 64 };

/// The worse of two check results: ok < warning < unknown < critical.
Exit worst(Exit a, Exit b);

/// The exit code's name in JSON and Prometheus: "ok", "warning", "critical", "unknown", "usage".
const char* exit_name(Exit e);

/// A failure to report on stderr: `what` is the one-line message, `hint` an optional second
/// line telling the user what to try.
class Error : public std::runtime_error {
public:
  Error(Exit code, const std::string& what, std::string hint = {})
      : std::runtime_error(what), code_(code), hint_(std::move(hint)) {}
  Exit code() const { return code_; }
  const std::string& hint() const { return hint_; }

private:
  Exit code_;
  std::string hint_;
};

} // namespace meshops

#pragma once
// tailscaled's IPN bus (GET /localapi/v0/watch-ipn-bus): a stream of ipn.Notify objects, one
// a line. This is the part of Notify a monitor needs, parsed defensively (notes 2.5), and the
// splitter that turns stream bytes into lines.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshops::tailscale {

/// The mask ts-monitor-logs subscribes with: engine updates, initial state, prefs, netmap and
/// health (1|2|4|8|128). The netmap tells us peers changed; we then re-read /status.
inline constexpr std::uint64_t kBusMask = 1 | 2 | 4 | 8 | 128;

/// One health warning of a Notify's Health.Warnings.
struct HealthWarning {
  std::string code;      ///< WarnableCode, e.g. "no-derp-connection"
  std::string severity;  ///< "high", "medium", "low"
  std::string title;
  std::string text;
};

/// The parts of one ipn.Notify a monitor reads; absent fields stay empty.
struct Notify {
  std::string version;                 ///< sent in the first message
  std::string session_id;              ///< the first message only
  std::optional<std::string> err_message;
  std::optional<std::string> state;    ///< backend state by name ("Running"), when it changed
  std::optional<std::string> browse_to_url;
  bool login_finished = false;
  bool has_prefs = false;              ///< a Prefs object came with it
  std::string exit_node_id;            ///< Prefs.ExitNodeID (with has_prefs)
  std::string exit_node_ip;            ///< Prefs.ExitNodeIP (with has_prefs)
  bool has_netmap = false;             ///< a NetMap came with it
  bool has_engine = false;             ///< an Engine status came with it
  std::int64_t engine_live_peers = 0;  ///< Engine.NumLive
  std::int64_t engine_live_derps = 0;  ///< Engine.LiveDERPs
  bool has_health = false;             ///< a Health state came with it
  std::vector<HealthWarning> health;   ///< its warnings, sorted by code (empty: healthy)
};

/// Names ipn.State's numbers (0 NoState .. 6 Running); unknown numbers read "State(N)".
std::string backend_state_name(std::int64_t n);

/// Parses one Notify line. Throws std::runtime_error naming what is wrong
/// ("not JSON: ...", "State: expected an integer, got string").
Notify parse_notify(std::string_view line);

/// Collects stream bytes and hands out complete lines (without '\n'); a partial line waits.
class LineSplitter {
public:
  /// Appends data and calls on_line for each line it completes.
  template <class F>
  void feed(std::string_view data, F&& on_line) {
    // What was kept holds no newline: the search starts at the new bytes, so a long line
    // arriving in many reads costs one pass.
    std::size_t start = 0, from = buf_.size();
    buf_.append(data);
    for (auto nl = buf_.find('\n', from); nl != std::string::npos; nl = buf_.find('\n', start)) {
      std::string_view line(buf_.data() + start, nl - start);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (!line.empty()) on_line(line);
      start = nl + 1;
    }
    buf_.erase(0, start);
  }
  /// Bytes of a line not yet complete.
  std::size_t pending() const { return buf_.size(); }

private:
  std::string buf_;
};

} // namespace meshops::tailscale

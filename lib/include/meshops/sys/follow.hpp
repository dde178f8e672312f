#pragma once
// Following a growing log file the way `tail -F` does, across both kinds of rotation:
// - rename + reopen (logrotate's default, then `nginx -s reopen`): the old file is read to its
//   end, and kept open a while after the new one appears, since nginx's workers may write a
//   few more lines to it before they reopen; then the new file is read from its start;
// - copytruncate: the file is cut to 0 and written again; reading restarts at offset 0, also
//   when it has grown past our offset again before we looked (see drain()).
// Lines are delivered whole (a partial last line waits for its newline), none twice; a line
// longer than Options::max_line is delivered cut to that length, and counted.
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace meshops::sys {

class Follower {
public:
  struct Options {
    bool from_start = false;                      ///< read the existing content first (else start at the end)
    std::chrono::milliseconds poll{100};          ///< how often to look for new data and rotation
    std::chrono::milliseconds drain{2000};        ///< how long a rotated-away file stays open while quiet
    std::size_t max_line = 1 << 20;               ///< a longer line is delivered cut to this many bytes
  };

  /// Starts following path. A missing file is waited for (read from its start when it appears).
  Follower(std::string path, Options options);
  ~Follower();
  Follower(const Follower&) = delete;
  Follower& operator=(const Follower&) = delete;

  /// Reads what is new, calling on_line for each complete line (without '\n'), and returns
  /// after at most `wait` (returning early once some lines were delivered). Throws
  /// meshops::Error (Exit::unknown) when the file exists but cannot be read.
  void poll(const std::function<void(std::string_view)>& on_line, std::chrono::milliseconds wait);

  /// Rotations seen so far (renames and truncations), for tests and -v.
  int rotations() const { return rotations_; }

  /// Lines longer than Options::max_line, delivered cut short.
  std::uint64_t truncated_lines() const { return truncated_lines_; }

private:
  struct Source {
    int fd = -1;
    unsigned long long dev = 0, ino = 0;
    long long offset = 0;
    std::string pending;  // a line still waiting for its '\n'
    bool skipping = false;  // inside a line already delivered cut short: drop up to its '\n'
    std::string tail;     // the last bytes before offset, to notice the file rewritten under us
  };
  bool open_current(bool at_end);
  bool rewritten(Source& s, long long size) const;
  void take(Source& s, std::string_view chunk, const std::function<void(std::string_view)>& on_line, std::size_t& delivered);
  std::size_t drain(Source& s, const std::function<void(std::string_view)>& on_line);
  void check_rotation();

  std::string path_;
  Options options_;
  Source cur_, old_;
  std::chrono::steady_clock::time_point old_quiet_since_{};
  int rotations_ = 0;
  std::uint64_t truncated_lines_ = 0;
};

} // namespace meshops::sys

#pragma once
// A one-line progress display on stderr for long runs (ts-benchmark, ts-quality): only when
// stderr is a terminal, only once the run has lasted `after` (a quick run prints nothing), at
// most ten redraws a second, and cleared before the result is printed.
#include <chrono>
#include <string>

namespace meshops::cli {

class Progress {
public:
  using Clock = std::chrono::steady_clock;
  explicit Progress(std::chrono::milliseconds after = std::chrono::milliseconds(0));
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  /// Redraws the line with text (already terminal-safe), unless too early or too soon.
  void show(const std::string& text);
  /// Erases the line when one is shown.
  void clear();

private:
  bool on_;
  Clock::time_point start_, last_{};
  std::chrono::milliseconds after_;
  bool shown_ = false;
};

} // namespace meshops::cli

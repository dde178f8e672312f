#include "meshops/cli/progress.hpp"

#include <cstdio>
#include <unistd.h>

namespace meshops::cli {

Progress::Progress(std::chrono::milliseconds after) : on_(::isatty(2) == 1), start_(Clock::now()), after_(after) {}

Progress::~Progress() { clear(); }

void Progress::show(const std::string& text) {
  if (!on_) return;
  auto now = Clock::now();
  if (now - start_ < after_ || (shown_ && now - last_ < std::chrono::milliseconds(100))) return;
  last_ = now;
  shown_ = true;
  std::fprintf(stderr, "\r\033[K%s", text.c_str());
  std::fflush(stderr);
}

void Progress::clear() {
  if (!shown_) return;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
  shown_ = false;
}

} // namespace meshops::cli

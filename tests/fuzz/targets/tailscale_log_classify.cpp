// tailscaled's log lines: the Go log time prefix, the classifier (category, level, message)
// and the events derived from a run of lines. Seeds: tests/fixtures/tailscale-logs.
#include "../fuzz_target.hpp"

#include "meshops/tailscale/log_classify.hpp"
#include "meshops/tailscale/log_events.hpp"

using namespace meshops::tailscale;

MESHOPS_FUZZ_TARGET(tailscale_log_classify) {
  auto text = meshops_fuzz::text(data, size);
  LogEventTracker events;
  PeerIndex index;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto nl = text.find('\n', start);
    auto line = text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    auto stamped = split_go_log_time(line);
    auto c = classify_log_line(stamped ? stamped->text : line, static_cast<int>(size % 3));
    (void)events.update(c.message, index);
    (void)short_node_key(line);
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  return 0;
}

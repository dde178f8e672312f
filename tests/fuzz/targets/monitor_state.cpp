// ts-monitor's state file: what state_to_json wrote reads back; anything else is a
// std::runtime_error naming the key (numbers and times in range, never wrapped), and what
// reads is written back to the same document. Seed: a state file written by ts-monitor.
#include "../fuzz_target.hpp"

#include "meshops/monitor/state_file.hpp"

#include <stdexcept>

using namespace meshops::monitor;

MESHOPS_FUZZ_TARGET(monitor_state) {
  MonitorState st;
  try {
    st = state_from_json(meshops_fuzz::text(data, size));
  } catch (const std::runtime_error&) {
    return 0;
  }
  auto doc = state_to_json(st);
  MonitorState again = state_from_json(doc.dump());
  MESHOPS_FUZZ_CHECK(state_to_json(again) == doc);
  return 0;
}

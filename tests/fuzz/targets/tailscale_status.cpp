// tailscaled's /status and /prefs replies: typed models, every odd reply a std::runtime_error
// naming its field (never an nlohmann exception); the peer lookup and the path words over what
// was read. Seeds: tests/fixtures/tailscale/status-*.json, prefs-*.json.
#include "../fuzz_target.hpp"

#include "meshops/tailscale/path_label.hpp"
#include "meshops/tailscale/status.hpp"

#include <stdexcept>

using namespace meshops::tailscale;

MESHOPS_FUZZ_TARGET(tailscale_status) {
  auto text = meshops_fuzz::text(data, size);
  try {
    Status s = parse_status(text);
    for (const auto& p : s.peers) {
      (void)p.connection();
      (void)find_peer(s, p.host_name);
      (void)to_string(p.connection());
    }
    (void)exit_node_peer(s);
    (void)find_peer(s, "100.64.0.1");
  } catch (const std::runtime_error&) {
  }
  try {
    (void)parse_prefs(text);
  } catch (const std::runtime_error&) {
  }
  (void)parse_time(text);
  return 0;
}

#include "record.hpp"

#include "meshops/sys/text.hpp"
#include "meshops/tailscale/status.hpp"

namespace ts_monitor_logs {
namespace ts = meshops::tailscale;

Record log_record(std::optional<TimePoint> t, std::string source, std::string_view text, int verbosity, const ts::PeerIndex& index) {
  auto c = ts::classify_log_line(text, verbosity);
  Record r;
  r.time = t;
  r.source = std::move(source);
  r.category = c.category;
  r.level = c.level;
  r.peer = index.find(c.message);
  r.message = std::move(c.message);
  return r;
}

Record event_record(std::optional<TimePoint> t, std::string source, const ts::DerivedEvent& e) {
  Record r;
  r.time = t;
  r.source = std::move(source);
  r.event = e.kind;
  r.peer = e.peer;
  r.message = e.message;
  r.from = e.from;
  r.to = e.to;
  if (e.kind == "peer_online" || e.kind == "peer_offline") r.category = LogCategory::peers;
  else if (e.kind == "path_changed") r.category = LogCategory::magicsock;
  else if (e.kind.rfind("derp_", 0) == 0) r.category = LogCategory::derp;
  else if (e.kind.rfind("control_", 0) == 0) r.category = LogCategory::control;
  else if (e.kind.rfind("health", 0) == 0) r.category = LogCategory::health;
  else r.category = LogCategory::state;
  r.level = e.kind == "peer_offline" || e.kind == "health_warning" || e.kind == "daemon_lost" || e.kind == "derp_disconnected" ||
                    e.kind == "control_disconnected"
                ? LogLevel::warning
                : LogLevel::info;
  if (e.kind == "exit_node_changed") r.peer = e.to.empty() ? e.from : e.to;
  return r;
}

bool keep(const Record& r, const Filters& f) {
  if (!f.categories.empty() && !f.categories.count(r.category)) return false;
  if (r.level < f.min_level) return false;
  if (!f.peer.empty() && meshops::sys::lower(r.peer) != meshops::sys::lower(f.peer)) return false;
  if (f.since && r.time && *r.time < *f.since) return false;
  if (f.grep && !std::regex_search(r.message, *f.grep)) return false;
  return true;
}

} // namespace ts_monitor_logs

#include "watch.hpp"

#include "meshops/cli/table.hpp"
#include "meshops/cli/units.hpp"
#include "meshops/sys/calendar.hpp"
#include "meshops/sys/stop.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <map>
#include <thread>

namespace fw_status {
namespace {

std::string rfc3339_now() { return meshops::sys::format_utc(std::chrono::system_clock::now()); }

double rate(std::uint64_t now, std::uint64_t before, double seconds) {
  return now >= before && seconds > 0 ? static_cast<double>(now - before) / seconds : 0;
}

} // namespace

void watch(const WatchOptions& opts, const meshops::cli::Output& out, const std::function<meshops::nft::ZoneReport()>& sample) {
  meshops::sys::catch_stop_signals();
  auto stopped = [] { return meshops::sys::stop_requested(); };
  using clock = std::chrono::steady_clock;
  std::map<std::string, meshops::nft::Counters> previous;
  auto previous_at = clock::now();
  bool first = true;
  for (int n = 0; !stopped() && (opts.count == 0 || n < opts.count); ++n) {
    if (!first) {
      // Sleep in short steps so a signal ends the wait promptly.
      auto until = previous_at + std::chrono::milliseconds(static_cast<long long>(opts.interval_s * 1000));
      while (!stopped() && clock::now() < until) std::this_thread::sleep_for(std::min<clock::duration>(until - clock::now(), std::chrono::milliseconds(50)));
      if (stopped()) break;
    }
    auto report = sample();
    auto at = clock::now();
    double secs = std::chrono::duration<double>(at - previous_at).count();
    nlohmann::ordered_json zones = nlohmann::ordered_json::array();
    meshops::cli::Table t({{"ZONE"}, {"ACCEPTED/S", meshops::cli::Align::right}, {"BYTES/S", meshops::cli::Align::right},
                           {"DROPPED/S", meshops::cli::Align::right}, {"BYTES/S", meshops::cli::Align::right},
                           {"ACCEPTED", meshops::cli::Align::right}, {"DROPPED", meshops::cli::Align::right}});
    // One row per zone, then the input base chains (what no zone took), each against its own
    // previous sample.
    nlohmann::ordered_json bases = nlohmann::ordered_json::array();
    auto add = [&](const std::string& key, const std::string& label, const meshops::nft::Counters& c, nlohmann::ordered_json j,
                   nlohmann::ordered_json& into) {
      auto it = previous.find(key);
      bool have = !first && it != previous.end();
      const auto& p = have ? it->second : c;
      double ap = rate(c.accepted_packets, p.accepted_packets, secs), ab = rate(c.accepted_bytes, p.accepted_bytes, secs);
      double dp = rate(c.dropped_packets, p.dropped_packets, secs), db = rate(c.dropped_bytes, p.dropped_bytes, secs);
      j["accepted_packets"] = c.accepted_packets;
      j["accepted_bytes"] = c.accepted_bytes;
      j["dropped_packets"] = c.dropped_packets;
      j["dropped_bytes"] = c.dropped_bytes;
      j["accepted_packets_per_s"] = have ? nlohmann::ordered_json(ap) : nlohmann::ordered_json(nullptr);
      j["accepted_bytes_per_s"] = have ? nlohmann::ordered_json(ab) : nlohmann::ordered_json(nullptr);
      j["dropped_packets_per_s"] = have ? nlohmann::ordered_json(dp) : nlohmann::ordered_json(nullptr);
      j["dropped_bytes_per_s"] = have ? nlohmann::ordered_json(db) : nlohmann::ordered_json(nullptr);
      into.push_back(std::move(j));
      auto r = [&](double v, bool bytes) {
        if (!have) return std::string("-");
        return bytes ? meshops::cli::human_bytes(static_cast<std::uint64_t>(v)) + "/s" : fmt::format("{:.1f}", v);
      };
      t.add_row({label, r(ap, false), r(ab, true), r(dp, false), r(db, true), std::to_string(c.accepted_packets), std::to_string(c.dropped_packets)});
      previous[key] = c;
    };
    for (const auto& z : report.zones)
      if (z.found) add("zone " + z.name, z.name, z.counters, {{"zone", z.name}}, zones);
    for (const auto& b : report.input_chains) {
      std::string name = fmt::format("{} {} {}", b.family, b.table, b.chain);
      add("base " + name, "(input) " + name, b.counters, {{"family", b.family}, {"table", b.table}, {"chain", b.chain}}, bases);
    }
    if (out.format == meshops::cli::Format::json) {
      meshops::cli::print_ndjson(nlohmann::ordered_json{{"ts", rfc3339_now()}, {"event", "sample"},
                                  {"interval_ms", first ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(secs * 1000)}, {"zones", zones},
                                  {"base_chains", bases}});
    } else {
      meshops::cli::write_stdout(fmt::format("{}{}\n", out.legend ? "# " + rfc3339_now() + "\n" : "", t.render(out)));
      std::fflush(stdout);
    }
    previous_at = at;
    first = false;
  }
}

} // namespace fw_status

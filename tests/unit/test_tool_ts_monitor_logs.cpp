// ts-monitor-logs: records, filters and renderings; the journal source on a real journal file
// made by systemd-journal-remote from the tailscaled log captured on the test tailnet (with its
// real restart), read through sd-journal; the file source on the captured log.
#include "sources.hpp"
#include "view.hpp"

#include "meshops/journal/reader.hpp"
#include "meshops/sys/atomic_file.hpp"
#include "meshops/sys/process.hpp"
#include "meshops/tailscale/bus.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fmt/format.h>
#include <unistd.h>

using namespace ts_monitor_logs;
namespace ts = meshops::tailscale;
using namespace std::chrono_literals;

namespace {
std::string fixture_path(const std::string& name) { return std::string(MESHOPS_FIXTURES) + "/tailscale-logs/" + name; }

/// The captured tailscaled.log as journal export entries: unit tailscaled.service, one _PID
/// before the restart in the capture ("Program starting" the second time) and another after.
std::string export_of_captured_log() {
  std::string out;
  ts::LineSplitter split;
  int n = 0, starts = 0;
  auto text = meshops::sys::read_file(fixture_path("tailscaled.log")) + "\n";
  split.feed(text, [&](std::string_view line) {
    auto stamped = ts::split_go_log_time(line);
    std::string msg(stamped ? stamped->text : line);
    if (msg.rfind("Program starting:", 0) == 0) ++starts;
    auto us = 1795000000000000LL + 1000LL * ++n;
    out += fmt::format("__REALTIME_TIMESTAMP={}\n__MONOTONIC_TIMESTAMP={}\n_BOOT_ID=0123456789abcdef0123456789abcdef\n"
                       "_SYSTEMD_UNIT=tailscaled.service\n_PID={}\nPRIORITY={}\nMESSAGE={}\n\n",
                       us, n, starts >= 1 ? 200 : 100, msg.find("panic") != std::string::npos ? 2 : 6, msg);
    // Another unit's entry between ours: the unit match must leave it out.
    if (n == 3) out += fmt::format("__REALTIME_TIMESTAMP={}\n__MONOTONIC_TIMESTAMP={}\n_BOOT_ID=0123456789abcdef0123456789abcdef\n"
                                   "_SYSTEMD_UNIT=sshd.service\n_PID=7\nMESSAGE=not tailscaled\n\n", us + 1, n);
  });
  return out;
}
} // namespace

TEST_CASE("Records: log lines classified and named, derived events categorised", "[tool][ts-monitor-logs]") {
  auto st = ts::parse_status(meshops::sys::read_file(fixture_path("status-relay.json")));
  ts::PeerIndex idx(st);
  auto r = log_record({}, "file", "wg: [a56b6] - Sending keepalive packet\n", 0, idx);
  CHECK(r.category == LogCategory::wireguard);
  CHECK(r.peer == "kernelcore");
  CHECK(r.message == "wg: [a56b6] - Sending keepalive packet");
  auto e = event_record({}, "status", {"path_changed", "kernelcore", "direct", "relay \"headscale\"", "m"});
  CHECK(e.category == LogCategory::magicsock);
  CHECK(event_record({}, "status", {"peer_offline", "x", "", "", ""}).level == LogLevel::warning);
  CHECK(event_record({}, "status", {"exit_node_changed", "", "kernelcore", "", ""}).peer == "kernelcore");
  auto j = to_json(e);
  CHECK(j.dump() == R"({"ts":null,"event":"path_changed","source":"status","category":"magicsock","level":"info","peer":"kernelcore","message":"m","from":"direct","to":"relay \"headscale\""})");
  CHECK(to_json(r)["peer"] == "kernelcore");
  e.time = meshops::sys::Time::from_unix_ms(1795000000123LL);
  CHECK(to_json(e)["ts"] == "2026-11-18T11:06:40.123Z");
  CHECK_FALSE(to_json(r).contains("from"));
}

TEST_CASE("Filters: category, level, peer, grep, since", "[tool][ts-monitor-logs]") {
  Record r;
  r.time = meshops::sys::Time::from_unix_ms(100000);
  r.category = LogCategory::derp;
  r.level = LogLevel::info;
  r.peer = "KernelCore";
  r.message = "magicsock: derp-999 connected";
  Filters f;
  CHECK(keep(r, f));
  f.categories = {LogCategory::dns};
  CHECK_FALSE(keep(r, f));
  f.categories = {LogCategory::dns, LogCategory::derp};
  CHECK(keep(r, f));
  f.min_level = LogLevel::warning;
  CHECK_FALSE(keep(r, f));
  f.min_level = LogLevel::info;
  f.peer = "kernelcore";
  CHECK(keep(r, f));
  f.peer = "laptop";
  CHECK_FALSE(keep(r, f));
  f.peer.clear();
  f.grep = std::regex("DERP-9+", std::regex::icase);
  CHECK(keep(r, f));
  f.grep = std::regex("relay");
  CHECK_FALSE(keep(r, f));
  f.grep.reset();
  f.since = meshops::sys::Time::from_unix_ms(101000);
  CHECK_FALSE(keep(r, f));
  Record debug = r;
  debug.level = LogLevel::debug;
  CHECK_FALSE(keep(debug, Filters{}));
}


TEST_CASE("Text lines are escaped and show the peer", "[tool][ts-monitor-logs]") {
  Record r;
  r.category = LogCategory::dns;
  r.peer = "evil\x1b[31m";
  r.message = "dns: \x1b]0;title\x07";
  meshops::cli::Output out;
  auto line = to_text(r, out);
  CHECK(line.find('\x1b') == std::string::npos);
  CHECK(line.find("[evil\\e[31m] dns: \\e]0;title\\x07") != std::string::npos);
  // Exact: no time ("-", never made up), level, category, the peer, the message.
  CHECK(line == "-                   info    dns       [evil\\e[31m] dns: \\e]0;title\\x07\n");
}

TEST_CASE("The journal source reads tailscaled's entries through sd-journal, says the restart once", "[tool][ts-monitor-logs][journal]") {
  auto dir = std::filesystem::temp_directory_path() / fmt::format("meshops-journal-{}", ::getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto journal = (dir / "tailscaled.journal").string();
  meshops::sys::RunOptions ro;
  ro.input = export_of_captured_log();
  ro.timeout = 20s;
  auto res = meshops::sys::run({"/lib/systemd/systemd-journal-remote", "-o", journal, "-"}, ro);
  REQUIRE(res.exit_code == 0);

  SourceOptions o;
  o.socket = (dir / "no.sock").string();  // no tailscaled: lines carry no peer name
  o.timeout = 200ms;
  o.file = journal;
  std::vector<Record> got;
  read_journal_source(o, [&](const Record& r) { got.push_back(r); });
  std::size_t lines = 0, restarts = 0;
  for (const auto& r : got) {
    if (r.event == "log") ++lines;
    if (r.event == "daemon_restarted") ++restarts;
    CHECK(r.message != "not tailscaled");
  }
  std::size_t captured = 0;
  ts::LineSplitter split;
  split.feed(meshops::sys::read_file(fixture_path("tailscaled.log")) + "\n", [&](std::string_view) { ++captured; });
  CHECK(lines == captured);
  CHECK(restarts == 1);
  REQUIRE(!got.empty());
  CHECK(got.front().source == "journal");
  CHECK(got.front().time == meshops::sys::Time::from_unix_ms(1795000000001LL));

  SECTION("--since skips what came before") {
    o.since = meshops::sys::Time::from_unix_ms(1795000000001LL + 100);
    std::size_t later = 0;
    read_journal_source(o, [&](const Record& r) { later += r.event == "log"; });
    CHECK(later + 99 <= lines);
    CHECK(later + 101 >= lines);
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("The file source reads the captured log whole, each line once", "[tool][ts-monitor-logs]") {
  SourceOptions o;
  o.socket = "/nonexistent/tailscaled.sock";
  o.timeout = 200ms;
  o.file = fixture_path("tailscaled.log");
  std::vector<Record> got;
  read_file_source(o, [&](const Record& r) { got.push_back(r); });
  std::size_t captured = 0;
  ts::LineSplitter split;
  split.feed(meshops::sys::read_file(o.file) + "\n", [&](std::string_view) { ++captured; });
  std::size_t lines = 0, events = 0;
  for (const auto& r : got) (r.event == "log" ? lines : events)++;
  CHECK(lines == captured);
  CHECK(events > 0);  // derived from the lines, as from the bus (see test_tailscale_log)
  CHECK(got.back().message.find("Program starting") == std::string::npos);
}

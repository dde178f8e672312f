// ts-monitor's text event lines: columns stay aligned whatever the event, with or without colour.
#include "view.hpp"

#include <catch2/catch.hpp>

namespace {

std::size_t column_of_mode(const std::string& line, const std::string& mode) { return line.find("  " + mode + " "); }

} // namespace

TEST_CASE("Event lines keep their columns aligned, coloured or not", "[ts-monitor][view]") {
  meshops::cli::Output plain, coloured;
  coloured.color = true;
  nlohmann::ordered_json short_event{{"ts", "2026-11-25T18:50:58.238Z"}, {"event", "started"}, {"mode", "local"}};
  nlohmann::ordered_json long_event{
      {"ts", "2026-11-25T18:50:59.846Z"}, {"event", "restore_probe"}, {"mode", "local"}, {"dry_run", true}};
  for (const auto* out : {&plain, &coloured}) {
    auto a = ts_monitor::event_line(short_event, *out);
    auto b = ts_monitor::event_line(long_event, *out);
    if (out->color) {
      // Strip the colour codes before comparing columns.
      for (auto* s : {&a, &b}) {
        std::string bare;
        for (std::size_t i = 0; i < s->size(); ++i) {
          if ((*s)[i] == '\x1b') {
            while (i < s->size() && (*s)[i] != 'm') ++i;
            continue;
          }
          bare += (*s)[i];
        }
        *s = bare;
      }
    }
    REQUIRE(column_of_mode(a, "local") != std::string::npos);
    CHECK(column_of_mode(a, "local") == column_of_mode(b, "local"));
  }
}

TEST_CASE("--status JSON says when it was made, right after the schema", "[ts-monitor][view][json]") {
  auto at = std::chrono::system_clock::time_point(std::chrono::seconds(1795000000));
  auto j = ts_monitor::status_json(std::nullopt, "/var/lib/meshops/monitor.json", at);
  auto it = j.begin();
  CHECK(it.key() == "schema");
  ++it;
  CHECK(it.key() == "generated_at");
  CHECK(j["generated_at"] == "2026-11-18T11:06:40Z");
  CHECK(j["status"] == "unknown");
  CHECK(j["state"].is_null());
}

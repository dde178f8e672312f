#include "view.hpp"

#include "meshops/cli/escape.hpp"
#include "meshops/cli/table.hpp"
#include "meshops/cli/units.hpp"
#include "meshops/sys/calendar.hpp"
#include "meshops/sys/json.hpp"

#include <fmt/format.h>

namespace nginx_logs {
namespace {

namespace cli = meshops::cli;
namespace nginx = meshops::nginx;

constexpr std::size_t kBarWidth = 24;

std::string bar(std::uint64_t n, std::uint64_t max) {
  if (max == 0) return {};
  std::size_t cells = static_cast<std::size_t>((n * kBarWidth * 8 + max - 1) / max);  // eighths
  std::string s;
  for (std::size_t i = 0; i < cells / 8; ++i) s += "\u2588";
  static const char* const kEighths[] = {"", "\u258F", "\u258E", "\u258D", "\u258C", "\u258B", "\u258A", "\u2589"};
  s += kEighths[cells % 8];
  return s;
}

std::string count(std::uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string percent(std::uint64_t n, std::uint64_t total) {
  return total ? fmt::format("{:.1f}%", 100.0 * static_cast<double>(n) / static_cast<double>(total)) : "-";
}

cli::Style class_style(int cls) {
  return cls == 5 ? cli::Style::bad : cls == 4 ? cli::Style::warn : cls == 2 ? cli::Style::good : cli::Style::none;
}

std::string section(const std::string& title, const cli::Table& t, const cli::Output& out) {
  if (t.rows() == 0) return {};
  return fmt::format("\n{}\n{}", cli::paint(title, cli::Style::bold, out.color), t.render(out));
}

std::string top_section(const std::string& title, const char* key_header, const std::vector<nginx::TopRow>& rows,
                        std::uint64_t total, const cli::Output& out) {
  cli::Table t({{key_header, cli::Align::left, /*elastic=*/true},
                {"REQUESTS", cli::Align::right},
                {"SHARE", cli::Align::right},
                {"BYTES", cli::Align::right},
                {"", cli::Align::left}});
  std::uint64_t max = rows.empty() ? 0 : rows.front().stats.requests;
  for (const auto& r : rows)
    t.add_row({r.shown(), count(r.stats.requests), percent(r.stats.requests, total), cli::human_bytes(r.stats.bytes),
               cli::Cell(bar(r.stats.requests, max), cli::Style::dim)});
  return section(title, t, out);
}

std::string percentile_row(const char* name, const std::optional<nginx::Percentiles>& p) {
  if (!p) return {};
  return fmt::format("{:<24}p50 {}  p90 {}  p99 {}  max {}  ({} sample{})\n", name, cli::human_ms(p->p50),
                     cli::human_ms(p->p90), cli::human_ms(p->p99), cli::human_ms(p->max), count(p->count), p->count == 1 ? "" : "s");
}

} // namespace

std::string to_text(const nginx::Summary& s, const cli::Output& out) {
  std::string o;
  o += fmt::format("{:<24}{}", "Lines", count(s.lines));
  if (s.malformed) o += cli::paint(fmt::format("  ({} malformed)", count(s.malformed)), cli::Style::warn, out.color);
  o += "\n";
  o += fmt::format("{:<24}{}", "Requests", count(s.requests));
  if (s.invalid_requests) o += fmt::format("  ({} not HTTP request lines)", count(s.invalid_requests));
  if (s.truncated) o += fmt::format("  ({} from lines cut short)", count(s.truncated));
  if (s.filtered_out) o += fmt::format("  ({} left out by the filters)", count(s.filtered_out));
  if (s.own_requests) o += fmt::format("  ({} of meshops' own probes left out: --include-probes)", count(s.own_requests));
  o += "\n";
  o += fmt::format("{:<24}{}\n", "Bytes sent", cli::human_bytes(s.bytes_sent));
  if (s.first_ms && s.last_ms)
    o += fmt::format("{:<24}{} .. {}  ({:.2f} req/s)\n", "Time", meshops::sys::format_utc_ms(*s.first_ms),
                     meshops::sys::format_utc_ms(*s.last_ms), s.requests_per_second);
  o += fmt::format("{:<24}{}  (429: {}, 503: {})\n", "Rate-limited", count(s.rate_limited_429 + s.rate_limited_503),
                   count(s.rate_limited_429), count(s.rate_limited_503));
  o += percentile_row("Request time", s.request_time);
  o += percentile_row("Upstream response time", s.upstream_response_time);

  {
    cli::Table t({{"CLASS"}, {"REQUESTS", cli::Align::right}, {"SHARE", cli::Align::right}, {""}});
    std::uint64_t max = 0;
    for (auto n : s.status_class) max = std::max(max, n);
    static const char* const kNames[] = {"other", "1xx", "2xx", "3xx", "4xx", "5xx"};
    for (int i = 1; i <= 5; ++i)
      if (s.status_class[i])
        t.add_row({cli::Cell(kNames[i], class_style(i)), count(s.status_class[i]), percent(s.status_class[i], s.requests),
                   cli::Cell(bar(s.status_class[i], max), class_style(i))});
    if (s.status_class[0]) t.add_row({"other", count(s.status_class[0]), percent(s.status_class[0], s.requests), ""});
    o += section("Status classes", t, out);
  }
  {
    cli::Table t({{"STATUS"}, {"REQUESTS", cli::Align::right}, {"SHARE", cli::Align::right}});
    for (const auto& [code, n] : s.status)
      t.add_row({cli::Cell(std::to_string(code), class_style(code / 100)), count(n), percent(n, s.requests)});
    o += section("Status codes", t, out);
  }
  {
    cli::Table t({{"METHOD"}, {"REQUESTS", cli::Align::right}, {"SHARE", cli::Align::right}});
    for (const auto& [m, n] : s.methods) t.add_row({m, count(n), percent(n, s.requests)});
    o += section("Methods", t, out);
  }
  if (s.by != nginx::By::none) {
    static const char* const kBy[] = {"", "host", "path", "status", "client", "peer"};
    cli::Table t({{"KEY", cli::Align::left, true},
                  {"REQUESTS", cli::Align::right},
                  {"BYTES", cli::Align::right},
                  {"2XX", cli::Align::right},
                  {"3XX", cli::Align::right},
                  {"4XX", cli::Align::right},
                  {"5XX", cli::Align::right}});
    for (const auto& r : s.by_rows)
      t.add_row({r.shown(), count(r.stats.requests), cli::human_bytes(r.stats.bytes), count(r.stats.classes[2]),
                 count(r.stats.classes[3]), count(r.stats.classes[4]), count(r.stats.classes[5])});
    o += section(fmt::format("By {}", kBy[static_cast<int>(s.by)]), t, out);
  }
  o += top_section("Top paths", "PATH", s.top_paths, s.requests, out);
  o += top_section("Top clients", "CLIENT", s.top_clients, s.requests, out);
  if (s.vhosts.size() > 0) {
    cli::Table t({{"HOST", cli::Align::left, true},
                  {"REQUESTS", cli::Align::right},
                  {"BYTES", cli::Align::right},
                  {"4XX", cli::Align::right},
                  {"5XX", cli::Align::right}});
    for (const auto& r : s.vhosts)
      t.add_row({r.shown(), count(r.stats.requests), cli::human_bytes(r.stats.bytes), count(r.stats.classes[4]),
                 count(r.stats.classes[5])});
    o += section("Virtual hosts", t, out);
  }
  o += top_section("Top user agents", "USER AGENT", s.top_user_agents, s.requests, out);
  if (out.legend && s.malformed && !s.malformed_examples.empty())
    o += fmt::format("\n{} malformed lines (first at line {}; -v shows them).\n", count(s.malformed),
                     s.malformed_examples.front().line_no);
  return o;
}

std::vector<cli::Metric> to_prom(const nginx::Summary& s) {
  std::vector<cli::Metric> m;
  auto one = [&](const char* name, const char* help, double v) {
    m.push_back({name, help, "gauge", {{{}, v}}});
  };
  one("meshops_nginx_logs_lines", "Lines read from the access log", static_cast<double>(s.lines));
  one("meshops_nginx_logs_requests", "Requests counted", static_cast<double>(s.requests));
  one("meshops_nginx_logs_malformed_lines", "Lines that did not match the log format", static_cast<double>(s.malformed));
  one("meshops_nginx_logs_sent_bytes", "Sum of $body_bytes_sent", static_cast<double>(s.bytes_sent));
  one("meshops_nginx_logs_rate_limited_requests", "Requests answered 429 or 503",
      static_cast<double>(s.rate_limited_429 + s.rate_limited_503));
  cli::Metric classes{"meshops_nginx_logs_requests_by_class", "Requests per status class", "gauge", {}};
  static const char* const kNames[] = {"other", "1xx", "2xx", "3xx", "4xx", "5xx"};
  for (int i = 0; i < 6; ++i) classes.samples.push_back({{{"class", kNames[i]}}, static_cast<double>(s.status_class[i])});
  m.push_back(std::move(classes));
  cli::Metric status{"meshops_nginx_logs_requests_by_status", "Requests per status code", "gauge", {}};
  for (const auto& [code, n] : s.status) status.samples.push_back({{{"status", std::to_string(code)}}, static_cast<double>(n)});
  m.push_back(std::move(status));
  if (s.request_time) {
    // A summary without _sum: the histogram the percentiles come from keeps no total.
    cli::Metric rt{"meshops_nginx_logs_request_time_seconds", "Percentiles of $request_time", "summary", {}};
    for (auto [q, v] : {std::pair{"0.5", s.request_time->p50}, {"0.9", s.request_time->p90}, {"0.99", s.request_time->p99}})
      rt.samples.push_back({{{"quantile", q}}, v / 1000.0});
    rt.samples.push_back({{}, static_cast<double>(s.request_time->count), "_count"});
    m.push_back(std::move(rt));
  }
  return m;
}

std::string ok_text(const nginx::Summary& s) {
  return fmt::format("{} requests, {} 5xx, {} rate limited", s.requests, s.status_class[5], s.rate_limited_429 + s.rate_limited_503);
}

nlohmann::ordered_json to_json(const nginx::ErrorRecord& r) {
  using meshops::sys::or_null;
  static const char* const kLimit[] = {nullptr, "limit_req_rejected", "limit_req_delayed", "limit_conn_rejected"};
  return {{"event", "error"},
          {"ts", meshops::sys::format_utc_ms(nginx::unix_ms_of_local(r.local_ms))},
          {"level", std::string(nginx::level_name(r.level))},
          {"pid", r.pid},
          {"tid", r.tid},
          {"connection", or_null(r.connection)},
          {"message", std::string(r.message)},
          {"client", or_null(r.client)},
          {"server", or_null(r.server)},
          {"request", or_null(r.request)},
          {"upstream", or_null(r.upstream)},
          {"host", or_null(r.host)},
          {"referrer", or_null(r.referrer)},
          {"limit", r.limit == nginx::LimitEvent::none ? nlohmann::ordered_json(nullptr)
                                                       : nlohmann::ordered_json(kLimit[static_cast<int>(r.limit)])},
          {"zone", or_null(r.zone)}};
}

nlohmann::ordered_json to_json(const ErrorsReport& r, const std::string& generated_at) {
  const auto& sum = r.summary;
  auto utc = [](std::int64_t local_ms) { return meshops::sys::format_utc_ms(nginx::unix_ms_of_local(local_ms)); };
  nlohmann::ordered_json j{{"schema", "meshops/nginx-logs/1"},
                           {"generated_at", generated_at},
                           {"lines", sum.lines},
                           {"entries", sum.entries},
                           {"malformed", sum.malformed},
                           {"filtered_out", sum.filtered_out},
                           {"first", meshops::sys::or_null(sum.first_local_ms, utc)},
                           {"last", meshops::sys::or_null(sum.last_local_ms, utc)}};
  auto levels = nlohmann::ordered_json::object();
  for (const auto& [l, n] : sum.levels) levels[std::string(nginx::level_name(l))] = n;
  j["levels"] = levels;
  std::uint64_t rejected = 0;
  auto zones = nlohmann::ordered_json::array();
  for (const auto& [z, n] : sum.zones) {
    rejected += n.rejected;
    zones.push_back({{"zone", z}, {"limit_req_rejected", n.rejected}, {"limit_req_delayed", n.delayed},
                     {"limit_conn_rejected", n.conn_rejected}});
  }
  j["limit_req_rejected"] = rejected;
  j["zones"] = zones;
  auto records = nlohmann::ordered_json::array();
  for (const auto& e : r.recent) records.push_back(to_json(e.record()));
  j["records"] = records;
  return j;
}

std::string to_text(const ErrorsReport& r, const cli::Output& out) {
  const auto& sum = r.summary;
  std::string text;
  cli::Table entries({{"TIME"}, {"LEVEL"}, {"CLIENT"}, {"MESSAGE", cli::Align::left, /*elastic=*/true}});
  for (const auto& e : r.recent) {
    const auto& rec = e.record();
    auto style = rec.level <= nginx::Level::error ? cli::Style::bad : rec.level == nginx::Level::warn ? cli::Style::warn : cli::Style::none;
    std::string msg(rec.message);
    if (!rec.request.empty()) msg += fmt::format(" [{}]", rec.request);
    entries.add_row({meshops::sys::format_utc_ms(nginx::unix_ms_of_local(rec.local_ms)),
                     cli::Cell(std::string(nginx::level_name(rec.level)), style), std::string(rec.client), msg});
  }
  if (entries.rows()) text += entries.render(out) + "\n";
  text += fmt::format("{} {} in {} line{}", sum.entries, sum.entries == 1 ? "entry" : "entries", sum.lines, sum.lines == 1 ? "" : "s");
  if (sum.malformed) text += fmt::format(", {} not entries", sum.malformed);
  if (sum.filtered_out) text += fmt::format(", {} filtered out", sum.filtered_out);
  text += "\n";
  for (const auto& [l, n] : sum.levels) text += fmt::format("  {:<8}{}\n", nginx::level_name(l), n);
  if (!sum.zones.empty()) {
    cli::Table zones({{"ZONE"}, {"REJECTED", cli::Align::right}, {"DELAYED", cli::Align::right}, {"CONN REJECTED", cli::Align::right}});
    for (const auto& [z, n] : sum.zones)
      zones.add_row({z, std::to_string(n.rejected), std::to_string(n.delayed), std::to_string(n.conn_rejected)});
    text += "\n" + zones.render(out);
  }
  return text;
}

std::vector<cli::Metric> to_prom(const ErrorsReport& r) {
  cli::Metric levels{"meshops_nginx_logs_error_entries", "Error log entries per level", "gauge", {}};
  for (const auto& [l, n] : r.summary.levels)
    levels.samples.push_back({{{"level", std::string(nginx::level_name(l))}}, static_cast<double>(n)});
  cli::Metric rejected{"meshops_nginx_logs_limit_req_rejected", "Requests rejected by limit_req, per zone", "gauge", {}};
  for (const auto& [z, n] : r.summary.zones) rejected.samples.push_back({{{"zone", z}}, static_cast<double>(n.rejected)});
  return {levels, rejected};
}

std::string ok_text(const ErrorsReport& r) {
  return fmt::format("{} error log entries in {} lines", r.summary.entries, r.summary.lines);
}

} // namespace nginx_logs

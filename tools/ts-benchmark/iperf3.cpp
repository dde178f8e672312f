#include "iperf3.hpp"

#include "meshops/sys/json.hpp"

#include "meshops/error.hpp"
#include "meshops/sys/process.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <stdexcept>

namespace ts_benchmark {
namespace {

using json = nlohmann::json;

double number_at(const json& obj, const char* section, const char* key) {
  auto s = obj.find(section);
  if (s == obj.end() || !s->is_object()) throw std::runtime_error(fmt::format("end.{}: missing", section));
  auto v = s->find(key);
  if (v == s->end() || !v->is_number()) throw std::runtime_error(fmt::format("end.{}.{}: expected a number", section, key));
  // A count or a rate is never negative, and a byte count past 2^63 is no transfer that happened.
  return meshops::sys::json_number(*v, fmt::format("end.{}.{}", section, key), 0, 9.2e18);
}

} // namespace

meshops::net::TransferResult parse_iperf3(std::string_view text) {
  json j;
  try {
    j = meshops::sys::parse_json(text);
  } catch (const meshops::sys::JsonError& e) {
    throw std::runtime_error(fmt::format("not JSON: {}", e.what()));
  }
  if (!j.is_object()) throw std::runtime_error("expected an object");
  if (auto e = j.find("error"); e != j.end() && e->is_string()) throw std::runtime_error(e->get<std::string>());
  auto end = j.find("end");
  if (end == j.end() || !end->is_object()) throw std::runtime_error("end: missing");
  meshops::net::TransferResult r;
  r.bytes = static_cast<std::uint64_t>(number_at(*end, "sum_received", "bytes"));
  r.seconds = number_at(*end, "sum_received", "seconds");
  r.mbit_s = number_at(*end, "sum_received", "bits_per_second") / 1e6;
  // retransmits exist on Linux senders only.
  if (auto s = end->find("sum_sent"); s != end->end() && s->is_object())
    if (auto v = s->find("retransmits"); v != s->end() && v->is_number_integer())
      r.retransmits = static_cast<std::uint64_t>(meshops::sys::json_integer(*v, "end.sum_sent.retransmits", 0, INT64_MAX));
  return r;
}

meshops::net::TransferResult run_iperf3(const std::string& host, int port, std::chrono::milliseconds duration, int streams,
                                        bool reverse, std::chrono::milliseconds timeout) {
  auto secs = std::max<long long>(1, (duration.count() + 999) / 1000);
  std::vector<std::string> argv{"iperf3", "-c", host, "-p", std::to_string(port), "-t", std::to_string(secs),
                                "-P", std::to_string(streams), "-J", "--connect-timeout", std::to_string(timeout.count())};
  if (reverse) argv.push_back("-R");
  meshops::sys::RunOptions ro;
  ro.timeout = std::chrono::seconds(secs) + timeout + std::chrono::seconds(5);
  auto r = meshops::sys::run(argv, ro);
  if (r.timed_out) throw meshops::Error(meshops::Exit::unknown, fmt::format("iperf3 to {}:{} did not finish in time", host, port));
  try {
    return parse_iperf3(r.out);
  } catch (const std::runtime_error& e) {
    throw meshops::Error(meshops::Exit::unknown, fmt::format("iperf3 to {}:{}: {}", host, port, e.what()),
                         "--iperf3 needs `iperf3 -s` running on the peer");
  }
}

} // namespace ts_benchmark

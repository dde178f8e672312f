#include "meshops/tailscale/netcheck.hpp"

#include "meshops/error.hpp"
#include "meshops/sys/json.hpp"
#include "meshops/sys/process.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <stdexcept>

namespace meshops::tailscale {
namespace {

using json = nlohmann::json;

[[noreturn]] void wrong(const std::string& key, const char* want, const json& got) {
  throw std::runtime_error(fmt::format("{}: expected {}, got {}", key, want, got.type_name()));
}

bool flag(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return false;
  if (!it->is_boolean()) wrong(key, "true or false", *it);
  return it->get<bool>();
}

std::string text(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return {};
  if (!it->is_string()) wrong(key, "a string", *it);
  return it->get<std::string>();
}

int region_id(const std::string& key, const std::string& where) {
  std::size_t used = 0;
  int id = 0;
  try {
    id = std::stoi(key, &used);
  } catch (const std::exception&) {
  }
  if (used != key.size() || key.empty()) throw std::runtime_error(fmt::format("{}: region ID {} is not a number", where, key));
  return id;
}

DerpRegion region_named(int id, const std::map<int, DerpRegion>& regions) {
  auto it = regions.find(id);
  return it != regions.end() ? it->second : DerpRegion{id, "", ""};
}

} // namespace

Netcheck parse_netcheck(std::string_view text_in, const std::map<int, DerpRegion>& regions) {
  json j;
  try {
    j = sys::parse_json(text_in);
  } catch (const sys::JsonError& e) {
    throw std::runtime_error(fmt::format("not JSON: {}", e.what()));
  }
  if (!j.is_object()) throw std::runtime_error(fmt::format("expected an object, got {}", j.type_name()));
  Netcheck n;
  n.available = true;
  n.udp = flag(j, "UDP");
  n.ipv4 = flag(j, "IPv4");
  n.ipv6 = flag(j, "IPv6");
  n.os_has_ipv6 = flag(j, "OSHasIPv6");
  n.global_v4 = text(j, "GlobalV4");
  n.global_v6 = text(j, "GlobalV6");
  // opt.Bool: true, false, or null/"" when not determined.
  if (auto it = j.find("MappingVariesByDestIP"); it != j.end() && it->is_boolean()) n.mapping_varies_by_dest_ip = it->get<bool>();
  if (auto it = j.find("PreferredDERP"); it != j.end() && !it->is_null()) {
    if (!it->is_number_integer()) wrong("PreferredDERP", "an integer", *it);
    if (int id = it->get<int>(); id != 0) n.preferred_derp = region_named(id, regions);
  }
  if (auto it = j.find("RegionLatency"); it != j.end() && !it->is_null()) {
    if (!it->is_object()) wrong("RegionLatency", "an object", *it);
    for (const auto& [key, ns] : it->items()) {
      if (!ns.is_number()) wrong("RegionLatency." + key, "a number", ns);
      // Go's time.Duration: nanoseconds.
      n.derp_latency.push_back({region_named(region_id(key, "RegionLatency"), regions), ns.get<double>() / 1e6});
    }
  }
  std::sort(n.derp_latency.begin(), n.derp_latency.end(),
            [](const auto& a, const auto& b) { return a.latency_ms < b.latency_ms; });
  return n;
}

std::map<int, DerpRegion> parse_derpmap(std::string_view text_in) {
  json j;
  try {
    j = sys::parse_json(text_in);
  } catch (const sys::JsonError& e) {
    throw std::runtime_error(fmt::format("not JSON: {}", e.what()));
  }
  std::map<int, DerpRegion> out;
  if (j.is_null()) return out;
  if (!j.is_object()) throw std::runtime_error(fmt::format("expected an object, got {}", j.type_name()));
  auto it = j.find("Regions");
  if (it == j.end() || it->is_null()) return out;
  if (!it->is_object()) wrong("Regions", "an object", *it);
  for (const auto& [key, r] : it->items()) {
    if (!r.is_object()) wrong("Regions." + key, "an object", r);
    DerpRegion reg{region_id(key, "Regions"), text(r, "RegionCode"), text(r, "RegionName")};
    out[reg.id] = reg;
  }
  return out;
}

Netcheck run_netcheck(const std::string& tailscale, const std::string& socket, const std::map<int, DerpRegion>& regions,
                      double timeout_s) {
  Netcheck n;
  sys::RunOptions ro;
  ro.timeout = std::chrono::milliseconds(static_cast<long long>(timeout_s * 1000));
  sys::RunResult r;
  try {
    r = sys::run({tailscale, "--socket", socket, "netcheck", "--format=json"}, ro);
  } catch (const Error& e) {
    n.reason = e.what();
    return n;
  }
  if (r.timed_out) {
    n.reason = fmt::format("tailscale netcheck did not finish within {:g} s", timeout_s);
    return n;
  }
  if (r.exit_code != 0) {
    auto first = r.err.substr(0, r.err.find('\n'));
    n.reason = fmt::format("tailscale netcheck failed (exit {}): {}", r.exit_code, first.substr(0, 200));
    return n;
  }
  try {
    return parse_netcheck(r.out, regions);
  } catch (const std::runtime_error& e) {
    n.reason = fmt::format("tailscale netcheck's JSON: {}", e.what());
    return n;
  }
}

} // namespace meshops::tailscale

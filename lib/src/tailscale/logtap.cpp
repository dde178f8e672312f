#include "meshops/tailscale/logtap.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <stdexcept>

namespace meshops::tailscale {

LogRecord parse_logtap_record(std::string_view line) {
  using json = nlohmann::json;
  json doc;
  try {
    doc = json::parse(line);
  } catch (const json::parse_error& e) {
    throw std::runtime_error(fmt::format("not JSON: {}", e.what()));
  }
  if (!doc.is_object()) throw std::runtime_error(fmt::format("expected an object, got {}", doc.type_name()));
  LogRecord r;
  if (auto it = doc.find("text"); it != doc.end() && !it->is_null()) {
    if (!it->is_string()) throw std::runtime_error(fmt::format("text: expected a string, got {}", it->type_name()));
    r.text = it->get<std::string>();
  }
  while (!r.text.empty() && (r.text.back() == '\n' || r.text.back() == '\r')) r.text.pop_back();
  if (auto it = doc.find("v"); it != doc.end() && it->is_number_integer()) r.verbosity = it->get<int>();
  if (auto lt = doc.find("logtail"); lt != doc.end() && lt->is_object())
    if (auto ct = lt->find("client_time"); ct != lt->end() && ct->is_string()) r.time = parse_time(ct->get<std::string>());
  r.connected_marker = r.text == "[logtap connected]";
  return r;
}

} // namespace meshops::tailscale

#include "meshops/tailscale/logtap.hpp"

#include "json_fields.hpp"

#include <nlohmann/json.hpp>

#include <stdexcept>

namespace meshops::tailscale {

LogRecord parse_logtap_record(std::string_view line) {
  auto doc = detail::parse_object(line);
  LogRecord r;
  r.text = detail::Fields(doc, "").str("text");
  while (!r.text.empty() && (r.text.back() == '\n' || r.text.back() == '\r')) r.text.pop_back();
  if (auto it = doc.find("v"); it != doc.end() && it->is_number_integer() && it->get<std::int64_t>() >= INT32_MIN && it->get<std::int64_t>() <= INT32_MAX)
    r.verbosity = it->get<int>();
  if (auto lt = doc.find("logtail"); lt != doc.end() && lt->is_object())
    if (auto ct = lt->find("client_time"); ct != lt->end() && ct->is_string()) r.time = parse_time(ct->get<std::string>());
  r.connected_marker = r.text == "[logtap connected]";
  return r;
}

} // namespace meshops::tailscale

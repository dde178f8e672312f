// The argument parsers every tool shares: --since/--until (sys::parse_time_arg), RFC 3339,
// --status specs, CIDRs, nginx sizes and rates. A time read is in 0000..9999 and writes back
// as it read; a bad argument is meshops::Error with exit 64.
#include "../fuzz_target.hpp"

#include "meshops/error.hpp"
#include "meshops/nginx/conf.hpp"
#include "meshops/nginx/log_filter.hpp"
#include "meshops/sys/time.hpp"

using namespace meshops;

MESHOPS_FUZZ_TARGET(time_and_args) {
  auto text = meshops_fuzz::text(data, size);
  if (auto t = sys::parse_rfc3339(text)) {
    MESHOPS_FUZZ_CHECK(t->unix_ms() >= sys::kTimeMinMs && t->unix_ms() <= sys::kTimeMaxMs);
    MESHOPS_FUZZ_CHECK(sys::parse_rfc3339(sys::format_utc(*t)) == t);
  }
  for (auto now : {sys::Time::now(), sys::Time::min(), sys::Time::max()}) {
    try {
      auto t = sys::parse_time_arg(text, now);
      MESHOPS_FUZZ_CHECK(t >= sys::Time::min() && t <= sys::Time::max());
    } catch (const Error& e) {
      MESHOPS_FUZZ_CHECK(e.code() == Exit::usage);
    }
  }
  for (auto* parse : {+[](std::string_view s) { (void)nginx::parse_status_spec(s); },
                      +[](std::string_view s) { (void)nginx::parse_cidr(s); }}) {
    try {
      parse(text);
    } catch (const Error& e) {
      MESHOPS_FUZZ_CHECK(e.code() == Exit::usage);
    }
  }
  if (auto n = nginx::parse_size(text)) MESHOPS_FUZZ_CHECK(*n >= 0);
  if (auto r = nginx::parse_rate(text)) MESHOPS_FUZZ_CHECK(*r >= 0);
  return 0;
}

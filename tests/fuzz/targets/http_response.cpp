// The LocalAPI's HTTP/1.1 response reader (status line, headers, Content-Length, chunked and
// close-delimited bodies), fed in pieces whose sizes the first byte picks: the result must not
// depend on how the bytes arrived. Seeds: replies captured from tailscaled (tests/fixtures).
#include "../fuzz_target.hpp"

#include "meshops/tailscale/http.hpp"

#include <optional>
#include <stdexcept>
#include <string>

using meshops::tailscale::HttpResponse;
using meshops::tailscale::ResponseParser;

namespace {

/// The response, or nullopt with the error, after feeding text in steps of step bytes.
std::optional<HttpResponse> read(std::string_view text, std::size_t step) {
  ResponseParser p;
  try {
    for (std::size_t i = 0; i < text.size(); i += step)
      if (!p.feed(text.substr(i, step))) break;
    p.finish();
  } catch (const std::runtime_error&) {
    return std::nullopt;
  }
  return p.response();
}

} // namespace

MESHOPS_FUZZ_TARGET(http_response) {
  if (size == 0) return 0;
  std::size_t step = 1 + data[0] % 64;
  auto text = meshops_fuzz::text(data + 1, size - 1);
  auto whole = read(text, text.size() + 1);
  auto pieces = read(text, step);
  MESHOPS_FUZZ_CHECK(whole.has_value() == pieces.has_value());
  if (whole) {
    MESHOPS_FUZZ_CHECK(whole->status == pieces->status);
    MESHOPS_FUZZ_CHECK(whole->body == pieces->body);
  }
  return 0;
}

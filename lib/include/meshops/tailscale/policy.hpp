#pragma once
// The `tests` block of a Tailscale/headscale policy file (HuJSON: JSON with // and /* */
// comments and trailing commas). Pure: text in, values out; an error names FILE:LINE:COL.
#include <string>
#include <string_view>
#include <vector>

namespace meshops::tailscale {

/// One entry of "tests": from src, each of accept must be allowed and each of deny refused.
struct PolicyTest {
  std::string src;                  ///< "tag:client", "user@", a host alias or an IP
  std::string proto;                ///< "" (tcp) or a protocol name
  std::vector<std::string> accept;  ///< "tag:server:80", "100.64.0.1:22"
  std::vector<std::string> deny;
  int line = 0;                     ///< where the entry starts in the file
};

/// The policy's tests and its hosts aliases. Throws meshops::Error (Exit::unknown)
/// "ORIGIN:LINE:COL: what is wrong" for text that is not HuJSON or a tests entry of the wrong
/// shape.
struct PolicyFile {
  std::vector<PolicyTest> tests;
  std::vector<std::pair<std::string, std::string>> hosts;  ///< alias -> address or prefix
};
PolicyFile parse_policy(std::string_view text, const std::string& origin);

/// HuJSON as plain JSON of the same length: comments and trailing commas become spaces, so a
/// byte offset in the result is the same in the original. Throws std::runtime_error with the
/// offset of an unterminated comment or string.
std::string hujson_to_json(std::string_view text);

} // namespace meshops::tailscale

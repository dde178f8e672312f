// cli::dump_json, the one writer of every tool's JSON: any string in (bytes from a log or a
// peer name, valid UTF-8 or not) gives a document that parses, holds no raw control, C1 or
// bidi character, and keeps a valid UTF-8 string as it was.
#include "../fuzz_target.hpp"

#include "meshops/cli/escape.hpp"
#include "meshops/cli/output.hpp"

#include <nlohmann/json.hpp>

MESHOPS_FUZZ_TARGET(json_output) {
  std::string s(meshops_fuzz::text(data, size));
  nlohmann::ordered_json doc{{"schema", "meshops/fuzz/1"}, {"value", s}, {"list", {s, 1, nullptr}}};
  for (bool pretty : {false, true}) {
    auto text = meshops::cli::dump_json(doc, pretty);
    auto back = nlohmann::ordered_json::parse(text);  // throws (a crash) if it is no JSON
    MESHOPS_FUZZ_CHECK(back["schema"] == "meshops/fuzz/1");
    for (std::size_t i = 0; i < text.size(); ++i) {
      auto c = static_cast<unsigned char>(text[i]);
      MESHOPS_FUZZ_CHECK(c >= 0x20 || c == '\n');
      MESHOPS_FUZZ_CHECK(c != 0x7F);
    }
    // Escaping is what terminal_safe checks: after it, nothing hidden stays raw.
    MESHOPS_FUZZ_CHECK(meshops::cli::json_escape_hidden(text) == text);
    // A string of valid UTF-8 comes back unchanged.
    bool valid = true;
    try {
      (void)nlohmann::json(s).dump();
    } catch (const nlohmann::json::exception&) {
      valid = false;
    }
    if (valid) MESHOPS_FUZZ_CHECK(back["value"].get<std::string>() == s);
  }
  return 0;
}

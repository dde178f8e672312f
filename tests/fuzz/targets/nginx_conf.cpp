// An `nginx -T` dump: the split into files, the model (includes, blocks, directives with
// file:line), the model's checks and the server/location choice. Must stay linear in the
// input: libFuzzer's -timeout and -rss_limit_mb catch a blow-up. Seeds:
// tests/fixtures/nginx-test/valid.dump, tests/fixtures/reach/nginx/*.dump.
#include "../fuzz_target.hpp"

#include "meshops/error.hpp"
#include "meshops/nginx/conf.hpp"
#include "meshops/nginx/conf_checks.hpp"
#include "meshops/nginx/select.hpp"

using namespace meshops::nginx;

MESHOPS_FUZZ_TARGET(nginx_conf) {
  auto text = meshops_fuzz::text(data, size);
  ConfModel model;
  try {
    model = read_dump(text);
  } catch (const meshops::Error&) {
    return 0;
  }
  std::vector<DeclaredService> declared{{"ollama", "ollama.kernelcore.example.ts.net", "127.0.0.1", 11434, "20r/s", "500M", "/api/tags"}};
  (void)check_services(model, declared);
  (void)check_duplicate_names(model);
  for (const auto& s : model.servers) {
    (void)select_location(s, "/api/tags");
    (void)select_location(s, "/");
  }
  (void)select_server(model, "127.0.0.1", 443, "ollama.kernelcore.example.ts.net");
  (void)select_server(model, "::1", 80, "x");
  (void)parse_size(text);
  (void)parse_rate(text);
  (void)parse_target(text);
  return 0;
}

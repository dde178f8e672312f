// Certificates named by ssl_certificate (OpenSSL reads the PEM; we read its dates and names).
// Seeds: tests/fixtures/nginx-test/*.pem.
#include "../fuzz_target.hpp"

#include "meshops/error.hpp"
#include "meshops/nginx/conf_cert.hpp"

using namespace meshops::nginx;

MESHOPS_FUZZ_TARGET(nginx_cert) {
  try {
    auto cert = parse_certificate_pem(meshops_fuzz::text(data, size), "fuzz.pem");
    (void)covers(cert, "llama.kernelcore.example.ts.net");
    Value at{"certs/fuzz.pem", {"/c/nginx.conf", 1}};
    (void)judge_certificate(cert, at, "/c/certs/fuzz.pem", {"a.example", "*.b.example", "_"}, meshops::sys::Time::now());
  } catch (const meshops::Error&) {
  }
  return 0;
}

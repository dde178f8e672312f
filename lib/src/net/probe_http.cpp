#include "meshops/net/probe.hpp"

#include <curl/curl.h>
#include <fmt/format.h>

#include <memory>
#include <mutex>

namespace meshops::net {
namespace {

constexpr std::size_t kMaxBody = 1u << 20;

void global_init_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// The body is read (so the whole response is timed) but not kept beyond kMaxBody.
std::size_t count_body(char*, std::size_t size, std::size_t n, void* user) {
  auto* seen = static_cast<std::size_t*>(user);
  *seen += size * n;
  return *seen > kMaxBody ? 0 : size * n;  // 0 aborts a runaway body
}

} // namespace

ProbeResult probe_http(const HttpRequest& req) {
  global_init_once();
  ProbeResult r;
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) {
    r.error = "curl_easy_init failed";
    return r;
  }
  CURL* h = curl.get();
  char errbuf[CURL_ERROR_SIZE] = {};
  std::size_t body = 0;
  curl_easy_setopt(h, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(req.timeout.count()));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(req.timeout.count()));
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_PROXY, "");  // never through $http_proxy: we test this host's path
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, count_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, req.verify_tls ? 1L : 0L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, req.verify_tls ? 2L : 0L);
  curl_easy_setopt(h, CURLOPT_USERAGENT, "meshops-probe/1");
  // CONNECT_TO keeps the URL's host for Host and SNI while the socket goes elsewhere:
  // "HOST:PORT:CONNECT-HOST:CONNECT-PORT" with empty HOST/PORT meaning "any".
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> connect_to(nullptr, curl_slist_free_all);
  if (req.connect_address) {
    std::string addr = *req.connect_address;
    if (addr.find(':') != std::string::npos && addr.front() != '[') addr = "[" + addr + "]";
    auto entry = fmt::format("::{}:{}", addr, req.connect_port ? std::to_string(*req.connect_port) : "");
    connect_to.reset(curl_slist_append(nullptr, entry.c_str()));
    curl_easy_setopt(h, CURLOPT_CONNECT_TO, connect_to.get());
  }
  CURLcode rc = curl_easy_perform(h);
  double total = 0;
  curl_easy_getinfo(h, CURLINFO_TOTAL_TIME, &total);
  r.latency_ms = total * 1000.0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r.status);
  if (rc == CURLE_OK || (rc == CURLE_WRITE_ERROR && r.status > 0)) {
    r.ok = r.status > 0;
    if (!r.ok) r.error = "no HTTP response";
    return r;
  }
  r.error = errbuf[0] ? errbuf : curl_easy_strerror(rc);
  return r;
}

} // namespace meshops::net

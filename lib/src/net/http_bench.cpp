#include "meshops/net/http_bench.hpp"

#include "meshops/error.hpp"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <fmt/format.h>

#include <memory>
#include <mutex>

namespace meshops::net {
namespace {

using Clock = std::chrono::steady_clock;

void global_init_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Slot {
  CURL* easy = nullptr;
  std::uint64_t body = 0;
  char errbuf[CURL_ERROR_SIZE] = {};
};

std::size_t count_body(char*, std::size_t size, std::size_t n, void* user) {
  static_cast<Slot*>(user)->body += size * n;
  return size * n;
}

/// A curl string list that frees itself.
using SList = std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)>;
SList make_slist(const std::vector<std::string>& items) {
  curl_slist* list = nullptr;
  for (const auto& i : items) {
    curl_slist* next = curl_slist_append(list, i.c_str());
    if (!next) {
      curl_slist_free_all(list);
      throw Error(Exit::unknown, "out of memory building a curl list");
    }
    list = next;
  }
  return SList(list, curl_slist_free_all);
}

bool is_ip(const std::string& s) {
  unsigned char buf[16];
  return ::inet_pton(AF_INET, s.c_str(), buf) == 1 || ::inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

void setup(Slot& s, const HttpBenchOptions& o, curl_slist* headers, curl_slist* resolve) {
  CURL* h = s.easy;
  curl_easy_setopt(h, CURLOPT_URL, o.url.c_str());
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(o.timeout.count()));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(o.timeout.count()));
  curl_easy_setopt(h, CURLOPT_PROXY, "");  // the path under test, never $http_proxy
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, count_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, s.errbuf);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, o.verify_tls ? 1L : 0L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, o.verify_tls ? 2L : 0L);
  curl_easy_setopt(h, CURLOPT_USERAGENT, "meshops-ts-benchmark/1");
  if (headers) curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  if (resolve) curl_easy_setopt(h, CURLOPT_RESOLVE, resolve);
}

} // namespace

std::string header_problem(const std::string& header) {
  if (header.find_first_of("\r\n") != std::string::npos) return "a header is one line (no CR or LF)";
  auto colon = header.find(':');
  if (colon == std::string::npos || colon == 0) return "expected \"Name: value\"";
  if (header.find_first_of(" \t") < colon) return "a header name has no spaces";
  return {};
}

std::string resolve_address(const std::string& entry) {
  auto first = entry.find(':');
  if (first == std::string::npos || first == 0) return {};
  auto second = entry.find(':', first + 1);
  if (second == std::string::npos) return {};
  auto port = entry.substr(first + 1, second - first - 1);
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos) return {};
  if (auto n = std::stoi(port); n < 1 || n > 65535) return {};
  auto addr = entry.substr(second + 1);
  if (addr.size() > 2 && addr.front() == '[' && addr.back() == ']') addr = addr.substr(1, addr.size() - 2);
  return is_ip(addr) ? addr : std::string();
}

std::string resolve_problem(const std::string& entry) {
  return resolve_address(entry).empty() ? "expected HOST:PORT:ADDR, PORT 1-65535 and ADDR an IP address" : std::string();
}

std::string url_host(const std::string& url) {
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> u(curl_url(), curl_url_cleanup);
  char* host = nullptr;
  if (!u || curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK ||
      curl_url_get(u.get(), CURLUPART_HOST, &host, 0) != CURLUE_OK)
    return {};
  std::string out(host);
  curl_free(host);
  if (out.size() > 2 && out.front() == '[' && out.back() == ']') out = out.substr(1, out.size() - 2);
  return out;
}

HttpBenchResult run_http_bench(const HttpBenchOptions& o) {
  if (o.requests < 1) throw Error(Exit::usage, "--requests must be at least 1");
  if (o.concurrency < 1) throw Error(Exit::usage, "--concurrency must be at least 1");
  for (const auto& h : o.headers)
    if (auto why = header_problem(h); !why.empty()) throw Error(Exit::usage, fmt::format("--header \"{}\": {}", h, why));
  for (const auto& r : o.resolve)
    if (auto why = resolve_problem(r); !why.empty()) throw Error(Exit::usage, fmt::format("--resolve \"{}\": {}", r, why));
  global_init_once();
  {
    std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> u(curl_url(), curl_url_cleanup);
    if (curl_url_set(u.get(), CURLUPART_URL, o.url.c_str(), 0) != CURLUE_OK)
      throw Error(Exit::usage, fmt::format("not a URL: {}", o.url));
  }
  std::unique_ptr<CURLM, decltype(&curl_multi_cleanup)> multi(curl_multi_init(), curl_multi_cleanup);
  if (!multi) throw Error(Exit::unknown, "curl_multi_init failed");
  int slots_n = std::min(o.concurrency, o.requests);
  std::vector<Slot> slots(static_cast<std::size_t>(slots_n));
  // One connection per slot: the multi handle must not share them into fewer.
  curl_multi_setopt(multi.get(), CURLMOPT_MAXCONNECTS, static_cast<long>(slots_n));

  HttpBenchResult r;
  int started = 0;
  auto start_on = [&](Slot& s) {
    s.body = 0;
    s.errbuf[0] = '\0';
    curl_multi_add_handle(multi.get(), s.easy);
    ++started;
  };
  auto headers = make_slist(o.headers);
  auto resolve = make_slist(o.resolve);
  for (auto& s : slots) {
    s.easy = curl_easy_init();
    if (!s.easy) throw Error(Exit::unknown, "curl_easy_init failed");
    setup(s, o, headers.get(), resolve.get());
  }
  struct Cleanup {
    std::vector<Slot>& slots;
    CURLM* multi;
    ~Cleanup() {
      for (auto& s : slots)
        if (s.easy) {
          curl_multi_remove_handle(multi, s.easy);
          curl_easy_cleanup(s.easy);
        }
    }
  } cleanup{slots, multi.get()};

  const auto t0 = Clock::now();
  auto last_progress = t0;
  for (auto& s : slots) start_on(s);
  int running = 0;
  while (r.requests < o.requests) {
    curl_multi_perform(multi.get(), &running);
    int left = 0;
    while (CURLMsg* m = curl_multi_info_read(multi.get(), &left)) {
      if (m->msg != CURLMSG_DONE) continue;
      Slot* s = nullptr;
      for (auto& cand : slots)
        if (cand.easy == m->easy_handle) s = &cand;
      CURLcode code = m->data.result;
      curl_multi_remove_handle(multi.get(), s->easy);
      ++r.requests;
      if (code == CURLE_OK) {
        long status = 0;
        curl_off_t total_us = 0;
        curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &status);
        curl_easy_getinfo(s->easy, CURLINFO_TOTAL_TIME_T, &total_us);
        ++r.status_counts[status];
        r.latencies_ms.push_back(static_cast<double>(total_us) / 1000);
        r.bytes += s->body;
      } else {
        ++r.failed;
        ++r.error_counts[s->errbuf[0] ? s->errbuf : curl_easy_strerror(code)];
      }
      if (started < o.requests) start_on(*s);
    }
    if (r.requests >= o.requests) break;
    if (o.on_progress && Clock::now() - last_progress > std::chrono::milliseconds(250)) {
      last_progress = Clock::now();
      o.on_progress(r.requests);
    }
    curl_multi_poll(multi.get(), nullptr, 0, 100, nullptr);
  }
  r.elapsed_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  r.answered = r.requests - r.failed;
  if (r.answered > 0 && r.elapsed_ms > 0) r.requests_per_s = r.answered / (r.elapsed_ms / 1000);
  std::vector<std::optional<double>> lat(r.latencies_ms.begin(), r.latencies_ms.end());
  r.latency = summarize(lat);
  return r;
}

} // namespace meshops::net

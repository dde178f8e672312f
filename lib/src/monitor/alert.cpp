#include "meshops/monitor/alert.hpp"

#include <curl/curl.h>
#include <fmt/format.h>

namespace meshops::monitor {

std::string redact_url(std::string_view url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return "(webhook URL)";
  auto rest = url.substr(scheme_end + 3);
  auto authority = rest.substr(0, rest.find_first_of("/?#"));
  if (auto at = authority.rfind('@'); at != std::string_view::npos) authority = authority.substr(at + 1);
  std::string out = fmt::format("{}://{}", url.substr(0, scheme_end), authority);
  if (authority.size() < rest.size()) out += "/...";
  return out;
}

WebhookSink::WebhookSink(Options options, std::function<void(const std::string&)> on_error)
    : options_(std::move(options)), on_error_(std::move(on_error)) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  thread_ = std::thread([this] { run(); });
}

WebhookSink::~WebhookSink() { close(); }

void WebhookSink::post(std::string json_body) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    if (queue_.size() >= options_.max_queue) {
      counters_.dropped++;
      return;
    }
    queue_.push_back(std::move(json_body));
  }
  cv_.notify_all();
}

void WebhookSink::close(std::chrono::milliseconds drain) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      stopping_ = true;
      drain_deadline_ = std::chrono::steady_clock::now() + drain;
    }
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

WebhookSink::Counters WebhookSink::counters() const {
  std::lock_guard lock(mu_);
  return counters_;
}

void WebhookSink::run() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty() || (stopping_ && std::chrono::steady_clock::now() >= drain_deadline_)) break;
    std::string body = std::move(queue_.front());
    queue_.pop_front();
    std::string error;
    bool ok = false;
    auto backoff = options_.backoff;
    for (int attempt = 1; attempt <= options_.attempts; ++attempt) {
      counters_.attempts++;
      lock.unlock();
      ok = send_once(body, error);
      lock.lock();
      if (ok || attempt == options_.attempts) break;
      // Wait out the backoff, but a close() with its deadline passed cuts it short.
      auto until = std::chrono::steady_clock::now() + backoff;
      if (stopping_) until = std::min(until, drain_deadline_);
      cv_.wait_until(lock, until, [&] { return stopping_ && std::chrono::steady_clock::now() >= drain_deadline_; });
      if (stopping_ && std::chrono::steady_clock::now() >= drain_deadline_) break;
      backoff *= 2;
    }
    if (ok) {
      counters_.delivered++;
    } else {
      counters_.failed++;
      if (on_error_) {
        auto msg = fmt::format("webhook {}: gave up on an event: {}", redact_url(options_.url), error);
        lock.unlock();
        on_error_(msg);
        lock.lock();
      }
    }
  }
  counters_.dropped += queue_.size();
  queue_.clear();
}

namespace {
size_t discard(char*, size_t size, size_t n, void*) { return size * n; }
} // namespace

bool WebhookSink::send_once(const std::string& body, std::string& error) {
  CURL* curl = curl_easy_init();
  if (!curl) {
    error = "cannot initialise libcurl";
    return false;
  }
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  headers = curl_slist_append(headers, "User-Agent: meshops-ts-monitor");
  char errbuf[CURL_ERROR_SIZE] = "";
  curl_easy_setopt(curl, CURLOPT_URL, options_.url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout.count()));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.timeout.count()));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // we are not the main thread
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  CURLcode rc = curl_easy_perform(curl);
  long code = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK) {
    // libcurl's message may name the host but never the path or credentials.
    error = *errbuf ? errbuf : curl_easy_strerror(rc);
    return false;
  }
  if (code / 100 != 2) {
    error = fmt::format("HTTP {}", code);
    return false;
  }
  return true;
}

} // namespace meshops::monitor

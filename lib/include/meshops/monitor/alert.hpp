#pragma once
// Alert sinks. The webhook POSTs each event as JSON with libcurl on its own thread, so a slow or
// dead receiver never delays a check: post() only queues. Each POST has a timeout and is
// retried with doubling backoff; the URL is never logged whole (it often carries a token).
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace meshops::monitor {

/// The URL with what may be secret removed: scheme, host and port only
/// ("https://user:tok@hooks.example/T/B/x?k=v" -> "https://hooks.example/...").
std::string redact_url(std::string_view url);

class WebhookSink {
public:
  struct Options {
    std::string url;
    std::chrono::milliseconds timeout{5000};  ///< per POST attempt
    int attempts = 4;                         ///< tries per event
    std::chrono::milliseconds backoff{500};   ///< before the 2nd try; doubled each time
    std::size_t max_queue = 256;              ///< events beyond this are dropped (and counted)
  };
  struct Counters {
    std::uint64_t delivered = 0, failed = 0, dropped = 0, attempts = 0;
  };

  /// Starts the sender thread. on_error (called on that thread) gets one line per event given
  /// up on, with the URL redacted.
  WebhookSink(Options options, std::function<void(const std::string&)> on_error = {});
  /// Stops: waits at most the drain deadline given to close() (default 2 s) for queued events.
  ~WebhookSink();
  WebhookSink(const WebhookSink&) = delete;
  WebhookSink& operator=(const WebhookSink&) = delete;

  /// Queues one JSON body; never blocks on the network.
  void post(std::string json_body);
  /// Sends what is queued within drain, then stops the thread. Idempotent.
  void close(std::chrono::milliseconds drain = std::chrono::milliseconds(2000));
  Counters counters() const;

private:
  void run();
  bool send_once(const std::string& body, std::string& error);

  Options options_;
  std::function<void(const std::string&)> on_error_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;
  bool stopping_ = false;
  std::chrono::steady_clock::time_point drain_deadline_{};
  Counters counters_;
  std::thread thread_;
};

} // namespace meshops::monitor

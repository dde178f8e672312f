#include "sources.hpp"

#include "meshops/error.hpp"
#include "meshops/sys/access.hpp"
#include "meshops/journal/reader.hpp"
#include "meshops/sys/follow.hpp"
#include "meshops/tailscale/bus.hpp"
#include "meshops/tailscale/localapi.hpp"
#include "meshops/tailscale/log_events.hpp"
#include "meshops/tailscale/logtap.hpp"
#include "meshops/tailscale/stream.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <fcntl.h>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <unistd.h>

namespace ts_monitor_logs {
namespace ts = meshops::tailscale;
using namespace std::chrono_literals;

namespace {

/// Peer names for file and journal lines: best effort, refreshed now and then; without a
/// reachable tailscaled lines simply carry no peer.
class PeerNames {
public:
  explicit PeerNames(const SourceOptions& o) : o_(o) {}
  const ts::PeerIndex& get() {
    auto now = std::chrono::steady_clock::now();
    if (now >= next_) {
      next_ = now + 30s;
      try {
        index_ = ts::PeerIndex(ts::LocalApi(o_.socket, std::min(o_.timeout, std::chrono::milliseconds(1000))).status());
      } catch (const std::exception&) {
      }
    }
    return index_;
  }

private:
  const SourceOptions& o_;
  ts::PeerIndex index_;
  std::chrono::steady_clock::time_point next_{};
};

} // namespace

void read_file_source(const SourceOptions& o, const Sink& sink) {
  // The follower waits for a missing file (rotation); a file never there is a mistake to say
  // at once, also with -f.
  if (int fd = ::open(o.file.c_str(), O_RDONLY | O_CLOEXEC); fd < 0) {
    int err = errno;
    throw meshops::Error(meshops::Exit::unknown, fmt::format("--file {}: {}", o.file, std::strerror(err)),
                         meshops::sys::permission_hint(err, o.file, meshops::sys::Access::read));
  } else {
    ::close(fd);
  }
  meshops::sys::Follower follower(o.file, {/*from_start=*/true, 100ms, 2000ms});
  PeerNames names(o);
  ts::LogEventTracker events;
  std::optional<TimePoint> last;  // none before the first stamped line: a time is never made up
  auto on_line = [&](std::string_view line) {
    auto stamped = ts::split_go_log_time(line);
    // A continuation line (no prefix) belongs to the time of the line before it.
    if (stamped) last = stamped->time;
    auto r = log_record(last, "file", stamped ? stamped->text : line, 0, names.get());
    sink(r);
    for (const auto& e : events.update(r.message, names.get())) sink(event_record(last, "file", e));
  };
  for (;;) {
    bool got = false;
    follower.poll([&](std::string_view l) { got = true; on_line(l); }, o.follow ? 1000ms : 200ms);
    if (!o.follow && !got) return;
  }
}

void read_journal_source(const SourceOptions& o, const Sink& sink) {
  meshops::journal::Reader::Options jo;
  jo.unit = o.unit;
  jo.since = o.since;
  jo.tail = o.since ? 0 : 100;
  if (!o.file.empty()) {
    jo.files = {o.file};
    jo.from_start = !o.since;
  }
  meshops::journal::Reader reader(jo);
  PeerNames names(o);
  ts::LogEventTracker events;
  std::string last_run, last_pid;  // the current run of the unit and the pid it started with
  for (;;) {
    reader.read([&](const meshops::journal::Entry& e) {
      // A new run of the unit is tailscaled restarted: said once, at its first line. A run is the
      // unit's invocation (_SYSTEMD_INVOCATION_ID), which also holds its ExecStopPost
      // (`tailscaled --cleanup`, a pid of its own); without one, the pid. systemd's own lines
      // about the unit (_PID 1) belong to no run.
      if (e.pid != "1") {
        const std::string& run = e.invocation_id.empty() ? e.pid : e.invocation_id;
        if (run != last_run) {
          if (!last_run.empty())
            sink(event_record(e.time, "journal", {"daemon_restarted", "", last_pid, e.pid,
                                                  fmt::format("tailscaled restarted (pid {} -> {})", last_pid, e.pid)}));
          last_run = run;
          last_pid = e.pid;
        }
      }
      auto stamped = ts::split_go_log_time(e.message);
      auto r = log_record(e.time, "journal", stamped ? stamped->text : e.message, 0, names.get());
      // syslog priorities 0-3 are errors, 4 a warning: stronger than our reading of the words.
      if (e.priority <= 3) r.level = LogLevel::error;
      else if (e.priority == 4 && r.level < LogLevel::warning) r.level = LogLevel::warning;
      sink(r);
      for (const auto& ev : events.update(r.message, names.get())) sink(event_record(e.time, "journal", ev));
    });
    if (!o.follow) return;
    reader.wait(1000ms);
  }
}

namespace {

/// What the stream threads hand to the main loop.
struct Item {
  enum Kind { notify, log_line, lost, back, refused } kind;
  std::string text;
  ts::Notify n;
  ts::LogRecord rec;
};

struct Queue {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<Item> items;
  void push(Item i) {
    {
      std::lock_guard l(mu);
      items.push_back(std::move(i));
    }
    cv.notify_one();
  }
};

/// One stream's records for the main loop: the bus also says when tailscaled goes and comes
/// back; a refusal (logtap needs write permission) ends the thread with a warning.
void stream_thread(std::shared_ptr<Queue> q, std::string socket, std::chrono::milliseconds timeout, std::string endpoint,
                   bool is_bus) {
  ts::StreamCallbacks cb;
  cb.on_line = [&](std::string_view line) {
    try {
      if (is_bus) {
        // The first Notify after a reconnect repeats state we know; the tracker drops what
        // did not change.
        q->push({Item::notify, {}, ts::parse_notify(line), {}});
      } else {
        auto r = ts::parse_logtap_record(line);
        if (!r.connected_marker && !r.text.empty()) q->push({Item::log_line, {}, {}, std::move(r)});
      }
    } catch (const std::exception& e) {
      q->push({Item::refused, fmt::format("{}: skipped a record: {}", endpoint, e.what()), {}, {}});
    }
  };
  if (is_bus) {
    cb.on_lost = [&](const std::string& why) { q->push({Item::lost, fmt::format("lost tailscaled: {}", why), {}, {}}); };
    cb.on_back = [&] { q->push({Item::back, "tailscaled answers again", {}, {}}); };
  }
  try {
    ts::follow_stream(socket, timeout, endpoint, cb);
  } catch (const ts::LocalApiError& e) {
    q->push({Item::refused, fmt::format("{}: {} (it needs LocalAPI write permission)", endpoint, e.what()), {}, {}});
  }
}

} // namespace

void read_localapi_source(const SourceOptions& o, const Sink& sink) {
  ts::LocalApi api(o.socket, o.timeout);
  ts::StatusTracker tracker;
  ts::PeerIndex index;
  auto refresh = [&](const char* source) {
    auto st = api.status();
    index = ts::PeerIndex(st);
    auto now = meshops::sys::Time::now();
    for (const auto& e : tracker.update(st)) sink(event_record(now, source, e));
  };
  refresh("status");  // throws when tailscaled cannot be reached: exit 3
  auto q = std::make_shared<Queue>();
  // The stream threads block in reads while tailscaled is quiet; they end with the process.
  std::thread(stream_thread, q, o.socket, o.timeout, fmt::format("watch-ipn-bus?mask={}", ts::kBusMask), true).detach();
  std::thread(stream_thread, q, o.socket, o.timeout, std::string("logtap"), false).detach();
  bool down = false;
  auto next_poll = std::chrono::steady_clock::now();
  for (;;) {
    std::deque<Item> items;
    {
      std::unique_lock l(q->mu);
      q->cv.wait_until(l, next_poll, [&] { return !q->items.empty(); });
      items.swap(q->items);
    }
    bool changed = false;
    auto now = meshops::sys::Time::now();
    for (auto& it : items) {
      switch (it.kind) {
      case Item::notify:
        changed = true;
        if (it.n.has_health)
          for (const auto& e : tracker.update_health(it.n.health)) sink(event_record(now, "bus", e));
        if (it.n.err_message && !it.n.err_message->empty())
          sink(event_record(now, "bus", {"daemon_error", "", "", "", "tailscaled: " + *it.n.err_message}));
        break;
      case Item::log_line:
        sink(log_record(it.rec.time, "logtap", it.rec.text, it.rec.verbosity, index));
        break;
      case Item::lost:
        if (!down) sink(event_record(now, "bus", {"daemon_lost", "", "", "", it.text}));
        down = true;
        break;
      case Item::back:
        if (down) sink(event_record(now, "bus", {"daemon_back", "", "", "", "tailscaled is back (restarted)"}));
        down = false;
        changed = true;
        break;
      case Item::refused:
        if (o.warn) o.warn(it.text);
        break;
      }
    }
    // Paths and online state move without a Notify: /status every 2 s, and at once on one.
    if (!down && (changed || std::chrono::steady_clock::now() >= next_poll)) {
      try {
        refresh("status");
      } catch (const meshops::Error&) {
        // The bus thread notices the outage and says it once.
      }
    }
    if (std::chrono::steady_clock::now() >= next_poll) next_poll = std::chrono::steady_clock::now() + 2s;
  }
}

} // namespace ts_monitor_logs

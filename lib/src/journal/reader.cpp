#include "meshops/journal/reader.hpp"

#include "meshops/error.hpp"

#include <systemd/sd-journal.h>
#include <fmt/format.h>

#include <cstring>

namespace meshops::journal {
namespace {

std::string field(sd_journal* j, const char* name) {
  const void* data = nullptr;
  size_t len = 0;
  if (sd_journal_get_data(j, name, &data, &len) < 0) return {};
  std::string_view v(static_cast<const char*>(data), len);
  auto eq = v.find('=');
  return eq == std::string_view::npos ? std::string() : std::string(v.substr(eq + 1));
}

[[noreturn]] void fail(const char* what, int r) {
  throw Error(Exit::unknown, fmt::format("journal: {}: {}", what, std::strerror(-r)));
}

} // namespace

Reader::Reader(Options o) {
  int r;
  if (o.files.empty()) {
    r = sd_journal_open(&j_, SD_JOURNAL_LOCAL_ONLY);
  } else {
    std::vector<const char*> paths;
    for (auto& f : o.files) paths.push_back(f.c_str());
    paths.push_back(nullptr);
    r = sd_journal_open_files(&j_, paths.data(), 0);
  }
  if (r < 0) fail("cannot open", r);
  if (!o.unit.empty()) {
    auto match = "_SYSTEMD_UNIT=" + o.unit;
    if ((r = sd_journal_add_match(j_, match.data(), match.size())) < 0) fail("bad unit match", r);
  }
  if (o.since) {
    // The journal counts microseconds from 1970: an earlier --since is its start.
    auto ms = std::max<std::int64_t>(0, o.since->unix_ms());
    r = sd_journal_seek_realtime_usec(j_, static_cast<uint64_t>(ms) * 1000);
  } else if (o.from_start) {
    r = sd_journal_seek_head(j_);
  } else {
    r = sd_journal_seek_tail(j_);
    // After seek_tail, next() would return nothing until a new entry: step back so the
    // cursor sits on the last `tail` entries.
    if (r >= 0) r = sd_journal_previous_skip(j_, o.tail + 1);
    if (r >= 0 && o.tail == 0) r = sd_journal_next(j_) < 0 ? -1 : 0;
  }
  if (r < 0) fail("cannot seek", r);
}

Reader::~Reader() {
  if (j_) sd_journal_close(j_);
}

std::size_t Reader::read(const std::function<void(const Entry&)>& on_entry) {
  std::size_t n = 0;
  for (;;) {
    int r = sd_journal_next(j_);
    if (r < 0) fail("cannot read", r);
    if (r == 0) break;
    Entry e;
    uint64_t us = 0;
    if (sd_journal_get_realtime_usec(j_, &us) >= 0)
      e.time = sys::Time::from_unix_ms(static_cast<std::int64_t>(std::min<uint64_t>(us / 1000, sys::kTimeMaxMs))).value();
    e.message = field(j_, "MESSAGE");
    auto prio = field(j_, "PRIORITY");
    if (prio.size() == 1 && prio[0] >= '0' && prio[0] <= '7') e.priority = prio[0] - '0';
    e.pid = field(j_, "_PID");
    e.invocation_id = field(j_, "_SYSTEMD_INVOCATION_ID");
    e.boot_id = field(j_, "_BOOT_ID");
    on_entry(e);
    ++n;
  }
  return n;
}

void Reader::wait(std::chrono::milliseconds timeout) {
  int r = sd_journal_wait(j_, static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(timeout).count()));
  if (r < 0) fail("cannot wait", r);
}

bool Reader::unit_has_entries(const std::string& unit) {
  sd_journal* j = nullptr;
  if (sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY) < 0) return false;
  auto match = "_SYSTEMD_UNIT=" + unit;
  bool found = sd_journal_add_match(j, match.data(), match.size()) >= 0 && sd_journal_seek_tail(j) >= 0 &&
               sd_journal_previous(j) > 0;
  sd_journal_close(j);
  return found;
}

} // namespace meshops::journal

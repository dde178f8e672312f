#include "meshops/sys/process.hpp"

#include "meshops/error.hpp"
#include "meshops/sys/fd.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <fcntl.h>
#include <mutex>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <unordered_set>

extern char** environ;

namespace meshops::sys {
namespace {

using Clock = std::chrono::steady_clock;

// The programs run() has started and not yet reaped, for stop_all_runs(). A pid leaves the set
// before run() reaps it, so a pid signalled from here is never one the system reused.
struct Runs {
  std::mutex m;
  std::condition_variable reaped;
  std::unordered_set<pid_t> pids;
  bool stopped = false;
};
Runs& runs() {
  static Runs r;
  return r;
}

struct Pipe {
  int fd[2] = {-1, -1};
  Pipe() {
    if (pipe2(fd, O_CLOEXEC) != 0) throw Error(Exit::unknown, fmt::format("pipe: {}", std::strerror(errno)));
  }
  ~Pipe() { close_both(); }
  void close_end(int i) {
    if (fd[i] >= 0) ::close(fd[i]);
    fd[i] = -1;
  }
  void close_both() { close_end(0); close_end(1); }
};

// Writes to the child's stdin without SIGPIPE: a program that exits before reading all of its
// input (sh -c 'echo x') must give EPIPE here, not kill the caller, whatever its disposition
// of SIGPIPE. The signal is blocked for this thread around the write, and one it raised is
// taken off the pending set before the mask is restored.
ssize_t write_without_sigpipe(int fd, const char* data, std::size_t size) {
  sigset_t pipe_set, old;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
  ssize_t w = ::write(fd, data, size);
  int saved = errno;
  if (w < 0 && saved == EPIPE) {
    const timespec none{0, 0};
    while (sigtimedwait(&pipe_set, nullptr, &none) < 0 && errno == EINTR) {}
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  errno = saved;
  return w;
}

std::vector<std::string> merged_environment(const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view entry(*e);
    auto key = entry.substr(0, entry.find('='));
    bool overridden = false;
    for (const auto& x : extra)
      if (x.compare(0, key.size() + 1, std::string(key) + "=") == 0) overridden = true;
    if (!overridden) env.emplace_back(entry);
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

std::vector<char*> c_strings(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (auto& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

} // namespace

std::size_t stop_all_runs() {
  std::unique_lock lock(runs().m);
  runs().stopped = true;
  const std::size_t n = runs().pids.size();
  for (pid_t pid : runs().pids) ::kill(-pid, SIGKILL);
  // Their run() calls reap them: a moment after SIGKILL, bounded in case one cannot.
  runs().reaped.wait_for(lock, std::chrono::seconds(1), [] { return runs().pids.empty(); });
  return n;
}

std::optional<std::string> find_program(const std::string& name) {
  auto executable = [](const std::string& p) {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(p.c_str(), X_OK) == 0;
  };
  if (name.find('/') != std::string::npos) return executable(name) ? std::optional(name) : std::nullopt;
  const char* path = std::getenv("PATH");
  std::string_view rest = path ? path : "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";
  while (true) {
    auto colon = rest.find(':');
    std::string dir(rest.substr(0, colon));
    std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (executable(candidate)) return candidate;
    if (colon == std::string_view::npos) return std::nullopt;
    rest.remove_prefix(colon + 1);
  }
}

RunResult run(const std::vector<std::string>& argv, const RunOptions& options) {
  if (argv.empty()) throw Error(Exit::unknown, "run: empty argv");
  auto program = find_program(argv[0]);
  if (!program) throw Error(Exit::unknown, fmt::format("{}: not found or not executable", argv[0]));

  Pipe in, out, err;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (options.input.empty())
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  else
    posix_spawn_file_actions_adddup2(&actions, in.fd[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out.fd[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err.fd[1], 2);

  // Its own process group, so the deadline kills whatever it started too; default signal
  // dispositions, so a child of a tool that ignores SIGPIPE behaves normally.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  auto args = argv;
  auto env = merged_environment(options.env);
  auto c_args = c_strings(args);
  auto c_env = c_strings(env);
  pid_t pid = -1;
  auto start = Clock::now();
  int rc = 0;
  bool stopped = false;
  {
    // Spawned and recorded at once: stop_all_runs() sees every program or none starts.
    std::lock_guard lock(runs().m);
    stopped = runs().stopped;
    if (!stopped) rc = posix_spawn(&pid, program->c_str(), &actions, &attr, c_args.data(), c_env.data());
    if (!stopped && rc == 0) runs().pids.insert(pid);
  }
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (stopped) throw Error(Exit::unknown, fmt::format("{}: not started: this process is ending", argv[0]));
  if (rc != 0) throw Error(Exit::unknown, fmt::format("{}: cannot run: {}", argv[0], std::strerror(rc)));

  in.close_end(0);
  out.close_end(1);
  err.close_end(1);

  RunResult result;
  std::size_t written = 0;
  if (options.input.empty()) in.close_end(1);
  else fcntl(in.fd[1], F_SETFL, O_NONBLOCK);

  // Readable once the program has ended (pidfd, Linux 5.3): the deadline holds until then,
  // also for a program that closed its output long before it ends. Without a pidfd the wait
  // ends with the pipes.
  Fd ended{static_cast<int>(::syscall(SYS_pidfd_open, pid, 0))};
  bool running = ended.valid();
  auto deadline = start + options.timeout;
  bool term_sent = false;
  char buf[65536];
  while (out.fd[0] >= 0 || err.fd[0] >= 0 || running) {
    std::vector<pollfd> fds;
    if (out.fd[0] >= 0) fds.push_back({out.fd[0], POLLIN, 0});
    if (err.fd[0] >= 0) fds.push_back({err.fd[0], POLLIN, 0});
    if (in.fd[1] >= 0) fds.push_back({in.fd[1], POLLOUT, 0});
    if (running) fds.push_back({ended.get(), POLLIN, 0});
    auto now = Clock::now();
    if (now >= deadline) {
      if (!term_sent) {
        result.timed_out = true;
        ::kill(-pid, SIGTERM);
        term_sent = true;
        deadline = now + std::chrono::seconds(1);
      } else {
        ::kill(-pid, SIGKILL);
        break;
      }
    }
    auto wait_ms = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
    int n = ::poll(fds.data(), fds.size(), static_cast<int>(std::max<long long>(wait_ms, 1)));
    if (n < 0 && errno != EINTR) break;
    for (auto& p : fds) {
      if (!p.revents) continue;
      if (p.fd == ended.get()) {
        running = false;
        continue;
      }
      if (p.fd == in.fd[1]) {
        ssize_t w = write_without_sigpipe(p.fd, options.input.data() + written, options.input.size() - written);
        if (w > 0) written += static_cast<std::size_t>(w);
        if (w < 0 && errno != EAGAIN) in.close_end(1);
        if (written == options.input.size()) in.close_end(1);
        continue;
      }
      ssize_t r = ::read(p.fd, buf, sizeof buf);
      bool is_out = p.fd == out.fd[0];
      if (r <= 0) {
        if (r < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        (is_out ? out : err).close_end(0);
        continue;
      }
      auto& sink = is_out ? result.out : result.err;
      if (sink.size() < options.max_output)
        sink.append(buf, std::min<std::size_t>(static_cast<std::size_t>(r), options.max_output - sink.size()));
    }
  }

  // Wait for its end without reaping it, then leave the set and reap it at once (it has ended:
  // waitpid returns at once): a pid in the set is never one the system could have reused.
  siginfo_t info{};
  while (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT) < 0 && errno == EINTR) {}
  int status = 0;
  {
    std::lock_guard lock(runs().m);
    runs().pids.erase(pid);
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  }
  runs().reaped.notify_all();
  // Anything the program left behind in its group (a daemon it forked) ends with it.
  if (result.timed_out) ::kill(-pid, SIGKILL);
  result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.term_signal = WTERMSIG(status);
  return result;
}

} // namespace meshops::sys

#include "meshops/nginx/runner.hpp"

#include "meshops/error.hpp"
#include "meshops/sys/process.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace meshops::nginx {

std::vector<std::string> test_argv(const Invocation& inv, const std::string& binary, bool dump) {
  std::vector<std::string> argv{binary};
  if (!inv.prefix.empty()) argv.insert(argv.end(), {"-p", inv.prefix});
  if (!inv.config_file.empty()) argv.insert(argv.end(), {"-c", inv.config_file});
  argv.push_back(dump ? "-T" : "-t");
  return argv;
}

std::string resolve_binary(const std::string& binary) {
  if (auto found = sys::find_program(binary)) return *found;
  if (binary.find('/') == std::string::npos) {
    for (const char* dir : {"/usr/sbin/", "/usr/local/sbin/", "/sbin/"})
      if (auto found = sys::find_program(dir + binary)) return *found;
    throw Error(Exit::unknown, fmt::format("{}: not found in PATH, /usr/sbin or /usr/local/sbin", binary),
                "install nginx, or name it with --nginx PATH or nginx.binary in the config");
  }
  throw Error(Exit::unknown, fmt::format("{}: not found or not executable", binary));
}

TestRun run_test(const Invocation& inv, bool dump) {
  TestRun run;
  run.binary = resolve_binary(inv.binary);
  run.argv = test_argv(inv, run.binary, dump);
  sys::RunOptions options;
  options.timeout = inv.timeout;
  auto result = sys::run(run.argv, options);
  const char* mode = dump ? "nginx -T" : "nginx -t";
  if (result.timed_out)
    throw Error(Exit::unknown, fmt::format("{}: no answer within {} ms, killed", mode, inv.timeout.count()));
  if (result.term_signal != 0)
    throw Error(Exit::unknown, fmt::format("{}: killed by signal {}", mode, result.term_signal));
  run.exit_code = result.exit_code;
  run.diagnostics = parse_diagnostics(result.err);
  run.dump = std::move(result.out);
  run.elapsed = result.elapsed;
  // A refusal of the configuration always comes with an [emerg] (or worse) line. Failing
  // without one means nginx did not get as far as the configuration: a wrong binary, an
  // option it does not know, a usage text. That is UNKNOWN, with nginx's first words.
  bool failure_said = std::any_of(run.diagnostics.begin(), run.diagnostics.end(),
                                  [](const Diagnostic& d) { return is_failure(d.level); });
  if (!run.ok() && !failure_said) {
    auto hint = fmt::format("is {} really nginx?", run.binary);
    if (run.diagnostics.empty())
      throw Error(Exit::unknown, fmt::format("{}: exited {} and said nothing", mode, run.exit_code), hint);
    throw Error(Exit::unknown, fmt::format("{}: exited {}: {}", mode, run.exit_code, run.diagnostics.front().message), hint);
  }
  return run;
}

} // namespace meshops::nginx

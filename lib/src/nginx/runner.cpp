#include "meshops/nginx/runner.hpp"

#include "meshops/error.hpp"
#include "meshops/sys/process.hpp"

#include <fmt/format.h>

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
  if (!run.ok() && run.diagnostics.empty())
    throw Error(Exit::unknown, fmt::format("{}: exited with status {} and said nothing", mode, run.exit_code),
                fmt::format("is {} really nginx?", run.binary));
  return run;
}

} // namespace meshops::nginx

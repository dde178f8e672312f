// nginx diagnostics: both line shapes, on stderr captured from the real nginx
// (tests/fixtures/nginx-test/capture.sh says how), plus hostile lines.
#include "meshops/nginx/diag.hpp"
#include "meshops/sys/atomic_file.hpp"

#include <catch2/catch.hpp>

#include <optional>
#include <string>

using namespace meshops::nginx;

namespace {

std::string fixture(const std::string& name) {
  return meshops::sys::read_file(std::string(MESHOPS_FIXTURES) + "/nginx-test/" + name);
}

constexpr const char* kConf = "/tmp/meshops-nginx-fixture/conf/nginx.conf";

} // namespace

TEST_CASE("Each error kind nginx -t reports parses with its level, file and line", "[nginx][diag]") {
  struct Case {
    const char* fixture;
    Level level;
    const char* message;
    std::optional<std::string> file;
    std::optional<int> line;
  };
  std::vector<Case> cases{
      {"unknown_directive", Level::emerg, "unknown directive \"foo\"", kConf, 3},
      {"missing_semicolon", Level::emerg, "directive \"pid\" is not terminated by \";\"", kConf, 4},
      {"missing_include", Level::emerg,
       "open() \"/tmp/meshops-nginx-fixture/conf/conf.d/missing.conf\" failed (2: No such file or directory)", kConf, 10},
      {"unknown_zone", Level::emerg, "zero size shared memory zone \"nope\"", std::nullopt, std::nullopt},
      {"duplicate_server_name", Level::warn,
       "conflicting server name \"ollama.kernelcore.example.ts.net\" on 127.0.0.1:18080, ignored", std::nullopt,
       std::nullopt},
      {"missing_certificate", Level::emerg, "cannot load certificate \"/tmp/meshops-nginx-fixture/conf/certs/gone.pem\"",
       std::nullopt, std::nullopt},
  };
  for (const auto& c : cases) {
    for (std::string shape : {".stderr", ".console.stderr"}) {
      DYNAMIC_SECTION(c.fixture << shape) {
        auto diags = parse_diagnostics(fixture(c.fixture + shape));
        const Diagnostic* hit = nullptr;
        for (const auto& d : diags)
          if (d.level == c.level) hit = &d;
        REQUIRE(hit != nullptr);
        CHECK(hit->message.rfind(c.message, 0) == 0);
        CHECK(hit->file == c.file);
        CHECK(hit->line == c.line);
        // The closing "syntax is ok" / "test failed" lines carry no level: notices.
        CHECK(diags.back().level == Level::notice);
        CHECK(diags.back().message.find(kConf) != std::string::npos);
      }
    }
  }
}

TEST_CASE("A valid configuration gives only notices", "[nginx][diag]") {
  auto diags = parse_diagnostics(fixture("valid.stderr"));
  REQUIRE(diags.size() == 2);
  for (const auto& d : diags) {
    CHECK(d.level == Level::notice);
    CHECK_FALSE(d.file.has_value());
  }
  CHECK(diags[1].message == std::string("configuration file ") + kConf + " test is successful");
}

TEST_CASE("Permission problems of an unprivileged user are recognised", "[nginx][diag]") {
  SECTION("a certificate only root may read") {
    auto diags = parse_diagnostics(fixture("unreadable_certificate.stderr"));
    REQUIRE(diags.size() == 2);
    CHECK(diags[0].level == Level::emerg);
    CHECK(is_failure(diags[0].level));
    CHECK(missing_permission(diags[0]).value_or("").rfind("access to that file", 0) == 0);
  }
  SECTION("a pid file it cannot write") {
    auto diags = parse_diagnostics(fixture("pid_permission.stderr"));
    REQUIRE(diags.size() == 3);
    CHECK(diags[1].level == Level::emerg);
    CHECK(diags[1].message == "open() \"/tmp/meshops-nginx-fixture/logs/nginx.pid\" failed (13: Permission denied)");
    CHECK(missing_permission(diags[1]).value_or("").find("CAP_DAC_OVERRIDE") != std::string::npos);
  }
  SECTION("a missing file is not a permission problem") {
    auto diags = parse_diagnostics(fixture("missing_include.stderr"));
    CHECK_FALSE(missing_permission(diags[0]).has_value());
  }
}

TEST_CASE("Diagnostic lines parse field by field", "[nginx][diag]") {
  struct Case {
    const char* name;
    std::string line;
    Level level;
    std::string message;
    std::optional<std::string> file;
    std::optional<int> line_no;
  };
  std::vector<Case> cases{
      {"console shape", "nginx: [warn] the \"user\" directive makes sense only if ... ignored in /etc/nginx/nginx.conf:1",
       Level::warn, "the \"user\" directive makes sense only if ... ignored", "/etc/nginx/nginx.conf", 1},
      {"log shape with connection id", "2025/11/26 10:00:00 [error] 12#12: *5 connect() failed (111) in /x.conf:9",
       Level::error, "connect() failed (111)", "/x.conf", 9},
      {"crlf trimmed", "nginx: [alert] could not open error log\r", Level::alert, "could not open error log",
       std::nullopt, std::nullopt},
      {"untagged", "nginx: configuration file /a test failed", Level::notice, "configuration file /a test failed",
       std::nullopt, std::nullopt},
      {"unknown level is text", "nginx: [bogus] x", Level::notice, "[bogus] x", std::nullopt, std::nullopt},
      {"' in ' without a line number", "nginx: [emerg] value in /a:b", Level::emerg, "value in /a:b", std::nullopt,
       std::nullopt},
      {"foreign line", "\x1b[2Jgarbage", Level::notice, "\x1b[2Jgarbage", std::nullopt, std::nullopt},
      {"timestamp-like prefix without level", "2025/11/26 10:00:00 hello", Level::notice,
       "2025/11/26 10:00:00 hello", std::nullopt, std::nullopt},
  };
  for (const auto& c : cases) {
    DYNAMIC_SECTION(c.name) {
      auto d = parse_diagnostic_line(c.line);
      REQUIRE(d.has_value());
      CHECK(d->level == c.level);
      CHECK(d->message == c.message);
      CHECK(d->file == c.file);
      CHECK(d->line == c.line_no);
    }
  }
  CHECK_FALSE(parse_diagnostic_line("   ").has_value());
  CHECK(parse_diagnostics("\n\nnginx: [emerg] a\n\n").size() == 1);
}

TEST_CASE("Levels round-trip through their names", "[nginx][diag]") {
  for (auto l : {Level::emerg, Level::alert, Level::crit, Level::error, Level::warn, Level::notice, Level::info,
                 Level::debug})
    CHECK(parse_level(level_name(l)) == l);
  CHECK(parse_level("err") == Level::error);
  CHECK_FALSE(parse_level("fatal").has_value());
  CHECK(is_failure(Level::error));
  CHECK_FALSE(is_failure(Level::warn));
  Diagnostic user{Level::warn, "the \"user\" directive makes sense only if the master process runs with super-user privileges, ignored", "/etc/nginx/nginx.conf", 1};
  CHECK(is_unprivileged_artefact(user));
}

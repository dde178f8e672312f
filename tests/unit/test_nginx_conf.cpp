// The configuration model read from `nginx -T` (fixture captured from the real nginx, see
// tests/fixtures/nginx-test/capture.sh), the tokeniser's rules, and the model-only checks.
#include "meshops/error.hpp"
#include "meshops/nginx/conf.hpp"
#include "meshops/nginx/conf_cert.hpp"
#include "meshops/nginx/conf_checks.hpp"
#include "meshops/sys/atomic_file.hpp"
#include "meshops/sys/time.hpp"

#include "growth.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>

using namespace meshops::nginx;
using meshops::Exit;

namespace {

std::string fixture(const std::string& name) {
  return meshops::sys::read_file(std::string(MESHOPS_FIXTURES) + "/nginx-test/" + name);
}

const std::string kDir = "/tmp/meshops-nginx-fixture/conf/";

ConfModel valid_model() { return read_dump(fixture("valid.dump")); }

const Server& server_named(const ConfModel& m, const std::string& name) {
  for (const auto& s : m.servers)
    for (const auto& n : s.server_names)
      if (n.text == name) return s;
  FAIL("no server " << name);
  throw;
}

DeclaredService ollama() {
  return {"ollama", "ollama.kernelcore.example.ts.net", "127.0.0.1", 11434, "20r/s", "500M", "/api/tags"};
}
DeclaredService llama() {
  return {"llama", "llama.kernelcore.example.ts.net", "127.0.0.1", 8080, "10r/s", "2m", ""};
}

} // namespace

TEST_CASE("The dump splits into the files nginx read, includes expanded in place", "[nginx][conf]") {
  auto m = valid_model();
  CHECK(m.main_file == kDir + "nginx.conf");
  CHECK(m.conf_prefix == kDir);
  CHECK(m.files == std::vector<std::string>{kDir + "nginx.conf", kDir + "conf.d/llama.conf", kDir + "conf.d/other.conf"});
  REQUIRE(m.includes.size() == 1);
  CHECK(m.includes[0].pattern == "conf.d/*.conf");
  CHECK(to_string(m.includes[0].at) == kDir + "nginx.conf:10");
  CHECK(m.includes[0].files == std::vector<std::string>{kDir + "conf.d/llama.conf", kDir + "conf.d/other.conf"});
  // Included servers come first: the include precedes the server written in nginx.conf.
  REQUIRE(m.servers.size() == 3);
  CHECK(m.servers[0].at.file == kDir + "conf.d/llama.conf");
  CHECK(m.servers[2].at.file == kDir + "nginx.conf");
}

TEST_CASE("Server blocks carry listen, names, certificates and locations with their places", "[nginx][conf]") {
  auto m = valid_model();
  const auto& ollama_s = server_named(m, "ollama.kernelcore.example.ts.net");
  CHECK(to_string(ollama_s.at) == kDir + "nginx.conf:11");
  REQUIRE(ollama_s.listens.size() == 1);
  CHECK(ollama_s.listens[0].key() == "127.0.0.1:18080");
  CHECK_FALSE(ollama_s.listens[0].ssl);
  REQUIRE(ollama_s.locations.size() == 2);
  const auto& root = ollama_s.locations[0];
  CHECK(root.path == "/");
  REQUIRE(root.proxy_pass.has_value());
  CHECK(root.proxy_pass->text == "http://127.0.0.1:11434");
  CHECK(to_string(root.proxy_pass->at) == kDir + "nginx.conf:17");
  REQUIRE(root.limit_reqs.size() == 1);
  CHECK(root.limit_reqs[0].zone == "ollama");
  CHECK(root.max_body_size->text == "500M");
  CHECK(ollama_s.locations[1].path == "= /health");
  CHECK_FALSE(ollama_s.locations[1].proxy_pass.has_value());
  CHECK(ollama_s.locations[1].limit_reqs.empty());  // "/" has its own; "= /health" inherits none

  const auto& llama_s = server_named(m, "llama.kernelcore.example.ts.net");
  CHECK(llama_s.server_names.size() == 2);
  CHECK(llama_s.server_names[1].text == "quoted.example");
  REQUIRE(llama_s.listens.size() == 2);
  CHECK(llama_s.listens[1].ssl);
  CHECK(llama_s.listens[1].port == 18443);
  REQUIRE(llama_s.ssl_certificates.size() == 1);
  CHECK(resolve_path(m, llama_s.ssl_certificates[0].text) == kDir + "certs/llama.pem");
  CHECK(to_string(llama_s.ssl_certificates[0].at) == kDir + "conf.d/llama.conf:5");
  // The nested location inherits limit_req from the server and sets its own body size.
  REQUIRE(llama_s.locations.size() == 2);
  const auto& v1 = llama_s.locations[1];
  CHECK(v1.path == "/v1");
  CHECK(v1.limit_reqs.at(0).zone == "llama");
  CHECK(v1.max_body_size->text == "2m");
  CHECK(llama_s.locations[0].max_body_size->text == "1m");  // from http

  const auto& other = server_named(m, "_");
  CHECK(other.listens[0].key() == "0.0.0.0:18080");
  CHECK_FALSE(other.proxies());
}

TEST_CASE("limit_req zones and upstream blocks are read", "[nginx][conf]") {
  auto m = valid_model();
  REQUIRE(m.zones.count("ollama"));
  CHECK(m.zones["ollama"].rate == "20r/s");
  CHECK(m.zones["ollama"].size == "10m");
  CHECK(m.zones["ollama"].key == "$binary_remote_addr");
  CHECK(to_string(m.zones["llama"].at) == kDir + "nginx.conf:7");
  REQUIRE(m.upstreams.count("llama_backend"));
  auto targets = proxy_targets(m, *server_named(m, "llama.kernelcore.example.ts.net").locations[1].proxy_pass);
  REQUIRE(targets.size() == 1);
  CHECK(targets[0].host == "127.0.0.1");
  CHECK(targets[0].port == 8080);
}

TEST_CASE("The tokeniser follows nginx's rules", "[nginx][conf]") {
  DumpedFile f{"/t.conf", "a \"x;y\" 'q\\'s' b\\ c;  # comment ; {\n"
                          "set $v \"${host}x\";\n"
                          "location ~ ^/(a|b){ proxy_pass http://u; }\n"
                          "multi\n  line;\n"};
  auto tree = parse_file(f);
  REQUIRE(tree.size() == 4);
  // An escaped space joins the word but, as in nginx, keeps its backslash.
  CHECK(tree[0].args == std::vector<std::string>{"x;y", "q's", "b\\ c"});
  CHECK(tree[1].args == std::vector<std::string>{"$v", "${host}x"});
  CHECK(tree[2].args == std::vector<std::string>{"~", "^/(a|b)"});
  CHECK(tree[2].has_block);
  CHECK(tree[2].block.at(0).at.line == 3);
  CHECK(tree[3].at.line == 4);

  auto bad = [](std::string text) { return DumpedFile{"/b.conf", std::move(text)}; };
  CHECK_THROWS_WITH(parse_file(bad("http {\n server {\n")), "/b.conf:3: unexpected end of file, expecting \"}\"");
  CHECK_THROWS_WITH(parse_file(bad("a b\n}")), "/b.conf:2: directive \"a\" is not terminated by \";\"");
  CHECK_THROWS_WITH(parse_file(bad("a \"open;\n")), Catch::Contains("inside a quoted string"));
  CHECK_THROWS_AS(read_dump("no header here\n"), meshops::Error);
}

TEST_CASE("Includes that loop are refused, not followed forever", "[nginx][conf]") {
  std::string dump = "# configuration file /c/a.conf:\ninclude b.conf;\n\n"
                     "# configuration file /c/b.conf:\ninclude a.conf;\n\n";
  CHECK_THROWS_WITH(read_dump(dump), Catch::Contains("includes nested too deeply"));
}

TEST_CASE("Sizes, rates and proxy targets parse as nginx reads them", "[nginx][conf]") {
  CHECK(parse_size("500M") == 500LL * 1024 * 1024);
  CHECK(parse_size("10k") == 10240);
  CHECK(parse_size("1024") == 1024);
  CHECK_FALSE(parse_size("9999999999999G"));  // issue 18: wrapped to a negative size
  CHECK(parse_size("8589934591G") == 8589934591LL * 1024 * 1024 * 1024);
  CHECK_FALSE(parse_size("8589934592G"));
  CHECK(parse_size("1g") == 1024LL * 1024 * 1024);
  CHECK_FALSE(parse_size("").has_value());
  CHECK_FALSE(parse_size("5x").has_value());
  CHECK(parse_rate("20r/s") == 20.0);
  CHECK(parse_rate("1200r/m") == 20.0);
  CHECK_FALSE(parse_rate("20").has_value());
  CHECK_FALSE(parse_rate("0r/s").has_value());

  auto t = parse_target("https://[::1]:8443/x");
  REQUIRE(t);
  CHECK(t->scheme == "https");
  CHECK(t->host == "[::1]");
  CHECK(t->port == 8443);
  CHECK(parse_target("http://backend")->port == 80);
  CHECK(parse_target("https://backend")->port == 443);
  CHECK(parse_target("127.0.0.1:8080")->port == 8080);
  CHECK_FALSE(parse_target("http://$upstream").has_value());
  CHECK_FALSE(parse_target("http://unix:/run/x.sock").has_value());
  CHECK_FALSE(parse_target("http://h:99999").has_value());
}

TEST_CASE("Declared services are matched against server blocks both ways", "[nginx][conf][checks]") {
  auto m = valid_model();
  SECTION("a service that matches is ok") {
    auto checks = check_services(m, {ollama()});
    REQUIRE(checks.size() == 2);
    CHECK(checks[0].name == "service:ollama");
    CHECK(checks[0].status == Exit::ok);
    CHECK(to_string(*checks[0].at) == kDir + "nginx.conf:17");
    // llama's block proxies but is not declared.
    CHECK(checks[1].name == "undeclared:llama.kernelcore.example.ts.net");
    CHECK(checks[1].status == Exit::warning);
  }
  SECTION("rate and body size are compared as values") {
    auto svc = llama();
    svc.rate_limit = "10r/s";  // the zone says 600r/m: the same
    auto checks = check_services(m, {ollama(), svc});
    REQUIRE(checks.size() == 2);
    CHECK(checks[1].status == Exit::ok);
    svc.rate_limit = "20r/s";
    svc.max_body_size = "1m";
    auto off = check_services(m, {svc});
    CHECK(off[0].status == Exit::warning);
    CHECK_THAT(off[0].reason, Catch::Contains("rate 600r/m") && Catch::Contains("client_max_body_size 2m"));
  }
  SECTION("a missing server block or a wrong upstream port is critical") {
    auto svc = ollama();
    svc.upstream_port = 11435;
    auto wrong = check_services(m, {svc});
    CHECK(wrong[0].status == Exit::critical);
    CHECK_THAT(wrong[0].reason, Catch::Contains("proxies to 127.0.0.1:11434, not 127.0.0.1:11435"));
    svc = ollama();
    svc.server_name = "nope.kernelcore.example.ts.net";
    auto missing = check_services(m, {svc});
    CHECK(missing[0].status == Exit::critical);
    CHECK_FALSE(missing[0].at.has_value());
  }
  SECTION("nothing declared: no undeclared warnings") { CHECK(check_services(m, {}).empty()); }
}

TEST_CASE("A server_name repeated on one address names both places", "[nginx][conf][checks]") {
  auto m = valid_model();
  CHECK(check_duplicate_names(m).empty());
  std::string dump = fixture("valid.dump");
  auto pos = dump.find("server_name _;");
  REQUIRE(pos != std::string::npos);
  dump.replace(pos, 14, "server_name ollama.kernelcore.example.ts.net;");
  pos = dump.find("listen 18080;");
  dump.replace(pos, 13, "listen 127.0.0.1:18080;");
  auto dups = check_duplicate_names(read_dump(dump));
  REQUIRE(dups.size() == 1);
  CHECK(dups[0].name == "duplicate:ollama.kernelcore.example.ts.net@127.0.0.1:18080");
  CHECK(dups[0].status == Exit::warning);
  CHECK(to_string(*dups[0].at) == kDir + "conf.d/other.conf:1");
  CHECK(to_string(*dups[0].also_at) == kDir + "nginx.conf:13");
}

TEST_CASE("Virtual hosts are the concrete names on TCP listen addresses", "[nginx][conf][checks]") {
  auto hosts = virtual_hosts(valid_model());
  REQUIRE(hosts.size() == 3);
  CHECK(hosts[0].server_name == "llama.kernelcore.example.ts.net");
  CHECK(hosts[1].listen.ssl);
  CHECK(hosts[2].server_name == "ollama.kernelcore.example.ts.net");
  CHECK(is_concrete_name("a.example"));
  for (auto n : {"_", "", "*.example", ".example", "~^a", "$host"}) CHECK_FALSE(is_concrete_name(n));
}

TEST_CASE("Certificates: expiry and the names they cover", "[nginx][conf][cert]") {
  auto cert = parse_certificate_pem(fixture("san.pem"), "san.pem");
  CHECK(cert.subject_cn == "cn-only.example");
  CHECK(cert.dns_names == std::vector<std::string>{"llama.kernelcore.example.ts.net", "*.wild.example"});
  CHECK(covers(cert, "LLAMA.kernelcore.example.ts.net"));
  CHECK(covers(cert, "a.wild.example"));
  CHECK_FALSE(covers(cert, "a.b.wild.example"));
  CHECK_FALSE(covers(cert, "cn-only.example"));  // SANs present: the CN does not count

  Value at{"certs/llama.pem", {"/c/nginx.conf", 5}};
  auto day = std::chrono::hours(24);
  auto judge = [&](std::chrono::milliseconds before_expiry, std::vector<std::string> names = {}) {
    return judge_certificate(cert, at, "/c/certs/llama.pem", names, cert.not_after - before_expiry);
  };
  CHECK(judge(30 * day).status == Exit::ok);
  CHECK(judge(10 * day).status == Exit::warning);
  CHECK(judge(3 * day).status == Exit::critical);
  CHECK(judge(-2 * day).status == Exit::critical);
  CHECK_THAT(judge(-2 * day).reason, Catch::StartsWith("expired"));
  auto uncovered = judge(30 * day, {"llama.kernelcore.example.ts.net", "other.example", "_"});
  CHECK(uncovered.status == Exit::warning);
  CHECK_THAT(uncovered.reason, Catch::EndsWith("does not cover other.example"));
  CHECK(uncovered.name == "certificate:/c/certs/llama.pem");

  CHECK_THROWS_WITH(parse_certificate_pem("junk", "x.pem"), "x.pem: not a PEM certificate");
  CHECK_THROWS_AS(read_certificate("/nonexistent/cert.pem"), meshops::Error);
}

TEST_CASE("A certificate valid until 9966 expires in 9966", "[nginx][cert][time]") {
  // Read through time_t and system_clock (nanoseconds, ending in 2262) it said "expired 1783".
  auto cert = parse_certificate_pem(fixture("far-expiry.pem"), "far-expiry.pem");
  CHECK(meshops::sys::format_utc(cert.not_after) == "9966-11-07T06:49:50Z");
  Value at{"certs/far.pem", {"/c/nginx.conf", 5}};
  auto now = *meshops::sys::parse_rfc3339("2026-12-02T00:00:00Z");
  auto c = judge_certificate(cert, at, "/c/certs/far.pem", {}, now);
  CHECK(c.status == Exit::ok);
  CHECK_THAT(c.reason, Catch::StartsWith("expires 9966-11-07T06:49:50Z ("));
}

namespace {
// An `nginx -T` dump of the given files (path, text), the first one the main file.
std::string dump_of(const std::vector<std::pair<std::string, std::string>>& files) {
  std::string out;
  for (const auto& [path, text] : files) out += "# configuration file " + path + ":\n" + text + "\n";
  return out;
}

// Reads a dump, whether the model takes it or refuses it.
void read_or_refuse(const std::string& dump) {
  try {
    (void)read_dump(dump);
  } catch (const meshops::Error&) {
  }
}

// A benign dump of at least `bytes` bytes: one server with plain directives, each read once.
std::string flat_dump(std::size_t bytes) {
  std::string t = "http { server { listen 80; ";
  while (t.size() < bytes) t += "return 204; ";
  return dump_of({{"/etc/nginx/nginx.conf", t + "} }"}});
}
} // namespace

TEST_CASE("The -T model is linear in its input, with bounds on nesting and on include fan-out (issue 18)", "[nginx][conf]") {
  auto nested = [](int depth) {
    std::string t = "http { server { listen 80; ";
    for (int i = 0; i < depth; ++i) t += "location /a { ";
    t += "return 204; ";
    for (int i = 0; i < depth; ++i) t += "} ";
    return dump_of({{"/etc/nginx/nginx.conf", t + "} }"}});
  };
  SECTION("98 nested locations read; 101 blocks deep are refused with the place") {
    CHECK(read_dump(nested(98)).servers.size() == 1);
    CHECK_THROWS_WITH(read_dump(nested(99)), "/etc/nginx/nginx.conf:1: blocks nested deeper than 100");
    // 5,000 took 3.7 s and 2.7 GB, 100,000 overflowed the stack; now no slower than a flat
    // file of its size.
    const auto deep = nested(100000), flat = flat_dump(deep.size());
    CHECK(growth::slowdown([&] { read_or_refuse(deep); }, [&] { read_or_refuse(flat); }) < 5);
  }
  SECTION("20 files each including the next twice: refused within a second") {
    std::vector<std::pair<std::string, std::string>> files{{"/etc/nginx/nginx.conf", "include f0.conf;"}};
    for (int i = 0; i < 20; ++i)
      files.push_back({fmt::format("/etc/nginx/f{}.conf", i),
                       i < 19 ? fmt::format("include f{0}.conf; include f{0}.conf; worker_processes 1;", i + 1) : "worker_processes 1;"});
    // Refused once the expansion reaches its cap (100,000 directives here): no slower than a
    // flat file of that many (measured: 2.4 times).
    const auto fanned = dump_of(files);
    const auto flat = flat_dump(100'000 * std::string("return 204; ").size());
    CHECK(growth::slowdown([&] { read_or_refuse(fanned); }, [&] { read_or_refuse(flat); }) < 10);
    CHECK_THROWS_WITH(read_dump(dump_of(files)), Catch::Contains("the includes expand the configuration past"));
  }
  SECTION("one snippet included from 2,000 places reads, each include recorded once") {
    std::string main = "http { ";
    for (int i = 0; i < 2000; ++i) main += fmt::format("server {{ listen {}; include snippet.conf; }} ", 10000 + i);
    auto model = read_dump(dump_of({{"/etc/nginx/nginx.conf", main + "}"}, {"/etc/nginx/snippet.conf", "client_max_body_size 1m; limit_req zone=z;"}}));
    CHECK(model.servers.size() == 2000);
    CHECK(model.includes.size() == 2000);
  }
}

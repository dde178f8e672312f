// nginx's server-block and location selection (lib/nginx/select.hpp) on a dump of the real
// nginx -T (tests/fixtures/reach/nginx/capture.sh), and what the model reads for the proxy
// layer of meshops-reach: default_server, allow/deny, auth, limit_req burst, return.
#include "fixture.hpp"

#include "meshops/nginx/conf.hpp"
#include "meshops/nginx/select.hpp"

#include <catch2/catch.hpp>

using namespace meshops::nginx;

namespace {

const ConfModel& model() {
  static const ConfModel m = read_dump(read_fixture("reach/nginx/select.dump"));
  return m;
}

// The proxy_pass of the server chosen for HOST on 127.0.0.1:18080 (its "/" location), or its
// return, so each case names the block it expects by what that block does.
std::string chosen(const std::string& host, const std::string& addr = "127.0.0.1") {
  auto c = select_server(model(), addr, 18080, host);
  REQUIRE(c);
  if (c->server->returns) return "return " + c->server->returns->text;
  auto loc = select_location(*c->server, "/");
  REQUIRE(loc);
  REQUIRE(loc->location->proxy_pass);
  return loc->location->proxy_pass->text;
}

std::string how(const std::string& host) { return select_server(model(), "127.0.0.1", 18080, host)->how; }

std::string location_of(const std::string& uri) {
  auto c = select_server(model(), "127.0.0.1", 18080, "app.kernelcore.test");
  REQUIRE(c);
  auto loc = select_location(*c->server, uri);
  return loc ? loc->location->path + " (" + loc->how + ")" : "none";
}

} // namespace

TEST_CASE("server name: exact before wildcards, longest leading wildcard, trailing, regex in order") {
  CHECK(chosen("exact.example.test") == "http://127.0.0.1:19001");
  CHECK(how("exact.example.test") == "exact name");
  CHECK(chosen("EXACT.example.test.:18080") == "http://127.0.0.1:19001");  // case, port and trailing dot ignored
  CHECK(chosen("a.example.test") == "http://127.0.0.1:19002");
  CHECK(how("a.example.test") == "leading wildcard");
  CHECK(chosen("x.deep.example.test") == "http://127.0.0.1:19003");   // the longer wildcard wins
  CHECK(chosen("www.example.test") == "http://127.0.0.1:19002");      // leading before trailing
  CHECK(chosen("www.example.org") == "http://127.0.0.1:19004");
  CHECK(how("www.example.org") == "trailing wildcard");
  CHECK(chosen("api7.regex.test") == "http://127.0.0.1:19005");       // the first regex that matches
  CHECK(chosen("apix.regex.test") == "http://127.0.0.1:19006");
  CHECK(how("apix.regex.test") == "regex");
}

TEST_CASE("no name matches: the default_server of that address:port, not the first server") {
  CHECK(chosen("nothing.test") == "return 444");
  CHECK(how("nothing.test") == "default_server");
  CHECK(chosen("") == "return 444");
}

TEST_CASE("an explicit listen address takes its connections before the wildcard") {
  CHECK(chosen("exact.example.test", "127.0.0.2") == "http://127.0.0.1:19007");
  // That address has only one server: it is the default for every other name.
  CHECK(chosen("a.example.test", "127.0.0.2") == "http://127.0.0.1:19007");
  CHECK(select_server(model(), "127.0.0.2", 18080, "a.example.test")->how == "first server");
}

TEST_CASE("nothing listens on that port or address family") {
  CHECK_FALSE(select_server(model(), "127.0.0.1", 18081, "exact.example.test"));
  CHECK_FALSE(select_server(model(), "::1", 18080, "exact.example.test"));
}

TEST_CASE("location: exact, then longest prefix with ^~, then regexes in order, then longest prefix") {
  CHECK(location_of("/health") == "= /health (exact)");
  CHECK(location_of("/health/x") == "/ (prefix)");
  CHECK(location_of("/static/a.php") == "^~ /static/ (prefix ^~)");
  CHECK(location_of("/x/a.php") == "~ \\.php$ (regex)");
  CHECK(location_of("/x/A.PNG") == "~* \\.(png|jpg)$ (regex)");
  CHECK(location_of("/x/A.PHP") == "/ (prefix)");  // "~" is case-sensitive
  CHECK(location_of("/api/public/v1") == "/api/public/ (prefix)");
  CHECK(location_of("/api/v1") == "/api/ (prefix)");
  CHECK(location_of("/") == "/ (prefix)");
}

TEST_CASE("what a location inherits: allow/deny, auth (auth_basic off removes it), limit_req, body size") {
  auto c = select_server(model(), "127.0.0.1", 18080, "app.kernelcore.test");
  REQUIRE(c);
  auto api = select_location(*c->server, "/api/v1")->location;
  REQUIRE(api->access.size() == 2);
  CHECK(api->access[0].allow);
  CHECK(api->access[0].source == "127.0.0.0/8");
  CHECK_FALSE(api->access[1].allow);
  CHECK(api->access[1].source == "all");
  CHECK(to_string(api->access[1].at) == "/tmp/meshops-reach-fixture/conf/nginx.conf:63");
  REQUIRE(api->auth.size() == 1);
  CHECK(api->auth[0].kind == "auth_basic");
  CHECK(api->auth[0].value == "ops");
  REQUIRE(api->limit_reqs.size() == 1);
  CHECK(api->limit_reqs[0].zone == "api");
  CHECK(api->limit_reqs[0].burst == 40);
  CHECK(api->limit_reqs[0].nodelay);
  CHECK(api->max_body_size->text == "500m");
  auto pub = select_location(*c->server, "/api/public/x")->location;
  CHECK(pub->auth.empty());
  CHECK(pub->max_body_size->text == "2m");  // from http
  auto health = select_location(*c->server, "/health")->location;
  REQUIRE(health->access.size() == 1);  // its own list replaces the server's
  CHECK(health->access[0].allow);
  REQUIRE(health->returns);
  CHECK(health->returns->text == "200 ok");
  auto def = select_server(model(), "127.0.0.1", 18080, "nothing.test");
  CHECK(def->listen->default_server);
  CHECK(to_string(def->server->returns->at) == "/tmp/meshops-reach-fixture/conf/nginx.conf:20");
}

TEST_CASE("normalize_host") {
  CHECK(normalize_host("Ollama.Kernelcore.TS.net.:443") == "ollama.kernelcore.ts.net");
  CHECK(normalize_host("[::1]:80") == "[::1]");
  CHECK(normalize_host("") == "");
}

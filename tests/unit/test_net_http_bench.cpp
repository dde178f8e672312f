// ts-benchmark's HTTP options, checked before anything is sent: --header and --resolve
// entries, and the host of a URL (for the route guard). The load itself runs against real
// nginx in tests/integration/ts_benchmark_http.sh.
#include "meshops/error.hpp"
#include "meshops/net/http_bench.hpp"

#include <catch2/catch.hpp>

using namespace meshops::net;

TEST_CASE("--header is one 'Name: value' line", "[net][http]") {
  CHECK(header_problem("Host: app.example").empty());
  CHECK(header_problem("X-Empty:").empty());
  CHECK_FALSE(header_problem("no colon").empty());
  CHECK_FALSE(header_problem(": no name").empty());
  CHECK_FALSE(header_problem("Bad Name: x").empty());
  CHECK_FALSE(header_problem("X-A: 1\r\nX-B: 2").empty());
}

TEST_CASE("--resolve is HOST:PORT:ADDR with a port and an IP", "[net][http]") {
  CHECK(resolve_address("app.test:443:127.0.0.1") == "127.0.0.1");
  CHECK(resolve_address("app.test:443:[::1]") == "::1");
  CHECK(resolve_address("app.test:443:fd7a:115c:a1e0::1") == "fd7a:115c:a1e0::1");
  CHECK(resolve_address("app.test:0:127.0.0.1").empty());
  CHECK(resolve_address("app.test:65536:127.0.0.1").empty());
  CHECK(resolve_address("app.test:http:127.0.0.1").empty());
  CHECK(resolve_address("app.test:443:localhost").empty());
  CHECK(resolve_address(":443:127.0.0.1").empty());
  CHECK(resolve_address("app.test").empty());
  CHECK_FALSE(resolve_problem("app.test:443").empty());
}

TEST_CASE("A bad --header or --resolve is bad usage before any request", "[net][http]") {
  HttpBenchOptions o;
  o.url = "http://127.0.0.1:1/";
  o.headers = {"nope"};
  try {
    run_http_bench(o);
    FAIL("no error");
  } catch (const meshops::Error& e) {
    CHECK(e.code() == meshops::Exit::usage);
    CHECK(std::string(e.what()) == "--header \"nope\": expected \"Name: value\"");
  }
  o.headers.clear();
  o.resolve = {"x:1:y"};
  CHECK_THROWS_AS(run_http_bench(o), meshops::Error);
}

TEST_CASE("The host of a URL, IPv6 without brackets", "[net][http]") {
  CHECK(url_host("http://100.64.0.1:8080/x") == "100.64.0.1");
  CHECK(url_host("https://[fd7a:115c:a1e0::1]/") == "fd7a:115c:a1e0::1");
  CHECK(url_host("http://app.test/") == "app.test");
  CHECK(url_host("not a url").empty());
}

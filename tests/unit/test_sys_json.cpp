// sys::parse_json and the bounded readers: what nlohmann throws on hostile input (a number no
// double holds, a nesting that would exhaust a recursive reader's stack) comes out as one
// meshops error naming where, and numbers out of a field's range never wrap (issue 18).
#include "meshops/sys/json.hpp"

#include "growth.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace meshops;
using meshops::sys::JsonError;
using meshops::sys::parse_json;

namespace {
std::string message(const std::string& text) {
  try {
    parse_json(text, "r.json");
  } catch (const JsonError& e) {
    return e.what();
  }
  return "(parsed)";
}
} // namespace

TEST_CASE("parse_json names the place and the reason of every failure", "[sys][json]") {
  CHECK(message("{\"a\": 1,\n \"b\": 1e999}") == "r.json:2:7: not valid JSON: number overflow parsing '1e999'");
  CHECK(message("{\"a\": tru }").rfind("r.json:1:10: not valid JSON: syntax error", 0) == 0);
  CHECK(message("").rfind("r.json:1:1: not valid JSON: syntax error", 0) == 0);
  CHECK(message("[-1e400]") == "r.json:1:2: not valid JSON: number overflow parsing '-1e400'");
  try {
    parse_json("[1e999]");
    FAIL("parsed");
  } catch (const Error& e) {  // a meshops::Error, exit UNKNOWN: never an nlohmann exception
    CHECK(e.code() == Exit::unknown);
  }
}

TEST_CASE("parse_json takes 128 levels and refuses 129, and 100,000 at once", "[sys][json]") {
  auto nested = [](std::size_t n) { return std::string(n, '[') + std::string(n, ']'); };
  CHECK(parse_json(nested(128)).is_array());
  CHECK(message(nested(129)) == "r.json:1:129: not valid JSON: nested deeper than 128 levels");
  // Brackets inside strings do not count.
  CHECK(parse_json("[\"" + std::string(1000, '[') + "\\\"{\"]").size() == 1);
  const auto deep = nested(100000);
  CHECK(message(deep).find("nested deeper than 128 levels") != std::string::npos);
  CHECK(message(std::string(100000, '{')).find("nested deeper") != std::string::npos);
  // Refused at level 129, so no slower than a flat array of the same size.
  std::string flat = "[0";
  while (flat.size() + 1 < deep.size()) flat += ",0";
  flat += "]";
  CHECK(growth::slowdown([&] { (void)message(deep); }, [&] { (void)parse_json(flat); }) < 5);
}

TEST_CASE("json_integer keeps a value in its field's range, or names the field", "[sys][json]") {
  using sys::json_integer;
  auto j = [](const char* text) { return nlohmann::json::parse(text); };
  CHECK(json_integer(j("42"), "n", 0, 100) == 42);
  CHECK(json_integer(j("3.0"), "n", 0, 100) == 3);
  CHECK(json_integer(j("-5"), "n", -10, 0) == -5);
  CHECK(json_integer<int>(j("2147483647"), "n") == 2147483647);
  CHECK_THROWS_WITH(json_integer<int>(j("1e30"), "consecutive_failures"),
                    "consecutive_failures: expected an integer from -2147483648 to 2147483647, got 1e+30");
  CHECK_THROWS_WITH(json_integer(j("2.5"), "n", 0, 100), "n: expected an integer from 0 to 100, got 2.5");
  CHECK_THROWS_WITH(json_integer(j("-1"), "bytes", 0, INT64_MAX), "bytes: expected an integer from 0 to 9223372036854775807, got -1");
  CHECK_THROWS_WITH(json_integer(j("18446744073709551615"), "n", INT64_MIN, INT64_MAX), Catch::StartsWith("n: expected an integer"));
  CHECK_THROWS_WITH(json_integer(j("9223372036854775807.0"), "n", INT64_MIN, INT64_MAX), Catch::StartsWith("n: expected"));
  CHECK_THROWS_WITH(json_integer(j("\"24\""), "len", 0, 128), "len: expected an integer from 0 to 128, got string");
  CHECK(json_integer<std::uint64_t>(j("9223372036854775807"), "n") == 9223372036854775807ULL);
  CHECK_THROWS_WITH(sys::json_number(j("1e300"), "end.sum_received.bytes", 0, 9.2e18),
                    "end.sum_received.bytes: expected a number from 0 to 9.2e+18, got 1e+300");
}

TEST_CASE("or_null writes a missing value as null in either document type", "[sys][json]") {
  CHECK(sys::or_null(std::optional<double>(1.5)).dump() == "1.5");
  CHECK(sys::or_null(std::optional<double>()).is_null());
  CHECK(sys::or_null(std::string("exit-a")).dump() == "\"exit-a\"");
  CHECK(sys::or_null(std::string()).is_null());
  auto plus_one = [](int v) { return v + 1; };
  CHECK(sys::or_null(std::optional<int>(41), plus_one).dump() == "42");
  CHECK(sys::or_null(std::optional<int>(), plus_one).is_null());
  nlohmann::json sorted = sys::or_null<nlohmann::json>(std::optional<std::uint64_t>(7));
  CHECK(sorted.dump() == "7");
}

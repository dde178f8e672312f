#pragma once
// The unit tests' one way to read a captured fixture: tests/fixtures/<relative>, whole.
// A missing or unreadable file fails the test that asked for it.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>

inline std::string read_fixture(const std::string& relative) {
  std::ifstream f(std::string(MESHOPS_FIXTURES "/") + relative, std::ios::binary);
  REQUIRE(f.good());
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

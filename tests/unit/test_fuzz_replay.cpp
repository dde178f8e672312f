// Every fuzz target (tests/fuzz/targets) on every input kept in tests/fuzz/regressions/<target>/,
// built with the normal compiler: each finding of a fuzz run stays fixed. An input that
// crashes, traps on a property or throws what its reader does not document fails here.
#include "../fuzz/fuzz_target.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>

namespace {
std::map<std::string, meshops_fuzz::Target>& targets() {
  static std::map<std::string, meshops_fuzz::Target> t;
  return t;
}
} // namespace

bool meshops_fuzz::register_target(const char* name, Target target) {
  targets()[name] = target;
  return true;
}

TEST_CASE("Every fuzz target takes every input a fuzz run ever found, each within a second", "[fuzz]") {
  namespace fs = std::filesystem;
  const fs::path root = MESHOPS_FUZZ_REGRESSIONS;
  // Each kept input belongs to a target that exists (a renamed target keeps its inputs).
  for (const auto& dir : fs::directory_iterator(root))
    if (dir.is_directory()) CHECK(targets().count(dir.path().filename().string()) == 1);
  for (const auto& [name, target] : targets()) {
    if (!fs::is_directory(root / name)) continue;
    for (const auto& f : fs::directory_iterator(root / name)) {
      if (!f.is_regular_file() || f.path().filename() == "README.md") continue;
      std::ifstream in(f.path(), std::ios::binary);
      std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      INFO(name << " " << f.path().filename().string());
      auto start = std::chrono::steady_clock::now();
      CHECK(target(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()) == 0);
      CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(1));
    }
  }
  CHECK(targets().size() >= 20);
}

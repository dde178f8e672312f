// Every fuzz target (tests/fuzz/targets) on every input kept in tests/fuzz/regressions/<target>/,
// built with the normal compiler: each finding of a fuzz run stays fixed. An input that
// crashes, traps on a property or throws what its reader does not document fails here.
#include "../fuzz/fuzz_target.hpp"

#include "growth.hpp"

#include <catch2/catch.hpp>

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

TEST_CASE("Every fuzz target takes every input a fuzz run ever found, none a blow-up", "[fuzz]") {
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
      const meshops_fuzz::Target fn = target;  // clang does not capture a structured binding
      auto run = [fn](const std::string& input) { return fn(reinterpret_cast<const std::uint8_t*>(input.data()), input.size()); };
      CHECK(run(bytes) == 0);
      // A blow-up costs orders of magnitude more than reading as many plain bytes: the factor is
      // wide because the kept input may be parsed whole where the spaces are refused at once.
      const std::string plain(bytes.size(), ' ');
      CHECK(growth::slowdown([&] { (void)run(bytes); }, [&] { (void)run(plain); }) < 1000);
    }
  }
  CHECK(targets().size() >= 20);
}

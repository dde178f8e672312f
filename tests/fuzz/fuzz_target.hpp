#pragma once
// One libFuzzer target per file in tests/fuzz/targets, written as
//     MESHOPS_FUZZ_TARGET(name) { ...data, size... return 0; }
// In the fuzz build (clang, -fsanitize=fuzzer) it is the binary's LLVMFuzzerTestOneInput. In
// test_fuzz_replay (the normal build) every target registers under its name, and the test
// feeds it each input kept in tests/fuzz/regressions/<name>/: a crash once found stays fixed.
// A property that does not hold calls MESHOPS_FUZZ_CHECK, which traps (a crash in both).
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace meshops_fuzz {
using Target = int (*)(const std::uint8_t* data, std::size_t size);
/// Registers a target for the replay test; returns true.
bool register_target(const char* name, Target target);
/// The input as text.
inline std::string_view text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}
} // namespace meshops_fuzz

#define MESHOPS_FUZZ_CHECK(cond) \
  do {                           \
    if (!(cond)) __builtin_trap(); \
  } while (0)

#ifdef MESHOPS_FUZZ_REPLAY
#define MESHOPS_FUZZ_TARGET(name)                                                                          \
  static int meshops_fuzz_##name(const std::uint8_t* data, std::size_t size);                              \
  [[maybe_unused]] static const bool meshops_fuzz_registered_##name =                                      \
      meshops_fuzz::register_target(#name, meshops_fuzz_##name);                                           \
  static int meshops_fuzz_##name(const std::uint8_t* data, std::size_t size)
#else
#define MESHOPS_FUZZ_TARGET(name) extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
#endif

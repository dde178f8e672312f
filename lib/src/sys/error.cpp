#include "meshops/error.hpp"

namespace meshops {

Exit worst(Exit a, Exit b) {
  // ok < warning < unknown < critical: a check that proves something is down outranks one
  // that could not tell (Icinga's order), so a stopped daemon makes the whole host critical.
  auto rank = [](Exit e) {
    switch (e) {
    case Exit::ok: return 0;
    case Exit::warning: return 1;
    case Exit::unknown: return 2;
    case Exit::critical: return 3;
    case Exit::usage: return 4;
    }
    return 4;
  };
  return rank(a) >= rank(b) ? a : b;
}

const char* exit_name(Exit e) {
  switch (e) {
  case Exit::ok: return "ok";
  case Exit::warning: return "warning";
  case Exit::critical: return "critical";
  case Exit::unknown: return "unknown";
  case Exit::usage: return "usage";
  }
  return "unknown";
}

} // namespace meshops

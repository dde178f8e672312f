#pragma once
// A check's conclusion, the one type every check report carries: its state (the exit code of
// the CLI contract), the reasons it is not OK, and, when the environment rather than the
// thing checked is at fault (a socket it may not use, a capability missing), the hint that
// says what to change. The text, JSON, Prometheus and plugin views all read it from here.
#include "meshops/error.hpp"

#include <string>
#include <utility>
#include <vector>

namespace meshops::checks {

struct Verdict {
  Exit state = Exit::ok;
  std::vector<std::string> reasons;  ///< why state is not ok, one line each, in the order found
  std::string hint;                  ///< what to try, when the run failed for its environment

  /// Adds a finding: the state becomes the worse of the two (meshops::worst).
  void add(Exit s, std::string reason) {
    state = worst(state, s);
    reasons.push_back(std::move(reason));
  }

  /// The verdict of a run that could not check at all: the error's state, message and hint.
  static Verdict failed(const Error& e) { return {e.code(), {e.what()}, e.hint()}; }
};

} // namespace meshops::checks

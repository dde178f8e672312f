#!/usr/bin/env bash
# meshops-reach --matrix's CPU cost apart from the probes: 100 peers x 10 services walked on
# one collection of facts (captured from the real tailnet, tests/fixtures/reach), against an
# anchor measured in the same run (parsing kernelcore's /status reply 1000 times). The probes
# run concurrently in collect_facts and are not part of this number.
# Usage: bench/meshops-reach-matrix.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
"$build/tests/test_reach_walk" "[.bench]" | grep -E 'meshops-reach|anchor|ratio'

#!/usr/bin/env bash
# Quick start, command 2: set up, build, and run every test (ctest). Extra arguments go to ctest,
# for example `-L unit` or `-LE slow`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${RPPG_BUILD_DIR:-$root/build}"
"$root/packaging/build.sh"
cd "$build"
exec ctest --output-on-failure --timeout 900 -j "$(nproc 2>/dev/null || echo 2)" "$@"

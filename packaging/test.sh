#!/usr/bin/env bash
# Quick start, command 2: set up, build, and run every test (ctest), then the fast (unit) tests
# again under AddressSanitizer + UndefinedBehaviorSanitizer in a core-only build (test-asan.sh).
# Extra arguments go to the main ctest run, for example `-L unit` or `-LE slow`;
# RPPG_SKIP_ASAN=1 skips the sanitizer pass.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${RPPG_BUILD_DIR:-$root/build}"
"$root/packaging/build.sh"
(cd "$build" && ctest --output-on-failure --timeout 900 -j "$(nproc 2>/dev/null || echo 2)" "$@")
if [ "${RPPG_SKIP_ASAN:-0}" != 1 ]; then
  "$root/packaging/test-asan.sh"
fi

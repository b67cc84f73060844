#!/usr/bin/env bash
# The fast tests under AddressSanitizer + UndefinedBehaviorSanitizer, in a second, core-only build
# folder (build-asan, or $RPPG_ASAN_BUILD_DIR). Labels: $RPPG_ASAN_LABELS (default "unit").
# Any ASan/UBSan report, including a leak, fails the test that triggered it. CI runs this after
# packaging/test.sh; the same build is `cmake --preset asan` + `ctest --preset asan`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${RPPG_ASAN_BUILD_DIR:-$root/build-asan}"
labels="${RPPG_ASAN_LABELS:-unit}"

"$root/packaging/install-deps.sh"
jobs="$(nproc 2>/dev/null || echo 2)"
if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRPPG_CORE_ONLY=ON \
    -DRPPG_SANITIZE_ADDRESS=ON >/dev/null
fi
# Build only the executables of the chosen tests (and the CLI, which some of them run).
mapfile -t tests < <(cd "$build" && ctest -N -L "$labels" | awk '/Test +#[0-9]+:/ {print $3}')
[ ${#tests[@]} -gt 0 ] || { echo "test-asan: no test with label '$labels'" >&2; exit 1; }
cmake --build "$build" -j "$jobs" --target rppg "${tests[@]}"

supp="$root/packaging/sanitizers"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1:strict_string_checks=1"
export LSAN_OPTIONS="suppressions=$supp/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:suppressions=$supp/ubsan.supp"
cd "$build"
exec ctest --output-on-failure --timeout 900 -j "$jobs" -L "$labels"

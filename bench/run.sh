#!/usr/bin/env bash
# One command for the benchmarks: builds, then runs `rppg bench` on the synthetic codec set and,
# when ../shared/data/real/bias-eval-rppg exists, on the real skin videos; the tables go to stdout
# and into bench/RESULTS.md. Extra arguments go to `rppg bench` (for example --quick).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/packaging/build.sh"
real=()
[ -d "$root/../shared/data/real/bias-eval-rppg" ] && real=(--real "$root/../shared/data/real/bias-eval-rppg")
exec "${RPPG_BUILD_DIR:-$root/build}/bin/rppg" bench "${real[@]}" --results "$root/bench/RESULTS.md" "$@"

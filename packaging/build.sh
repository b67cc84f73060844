#!/usr/bin/env bash
# Installs what is missing, configures and builds rPPG Studio into build/ (or $RPPG_BUILD_DIR).
# Extra CMake arguments: $RPPG_CMAKE_ARGS (for example -DRPPG_CORE_ONLY=ON).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${RPPG_BUILD_DIR:-$root/build}"

"$root/packaging/install-deps.sh"

jobs="$(nproc 2>/dev/null || echo 2)"
# libtorch translation units need up to ~1.7 GB each: cap parallel jobs by memory as well.
mem_gb="$(awk '/MemTotal/ {print int($2/1048576)}' /proc/meminfo 2>/dev/null || echo 4)"
max_by_mem=$(( mem_gb / 2 )); [ "$max_by_mem" -lt 1 ] && max_by_mem=1
[ "$jobs" -gt "$max_by_mem" ] && jobs="$max_by_mem"

if [ ! -f "$build/build.ninja" ]; then
  # shellcheck disable=SC2086
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release ${RPPG_CMAKE_ARGS:-} >/dev/null
elif [ -n "${RPPG_CMAKE_ARGS:-}" ]; then
  # shellcheck disable=SC2086
  cmake "$build" ${RPPG_CMAKE_ARGS} >/dev/null
fi
cmake --build "$build" -j "$jobs"

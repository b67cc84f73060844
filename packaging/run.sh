#!/usr/bin/env bash
# Quick start, command 1: set up, build, and run the main job on the bundled sample video.
# With a display it opens rPPG Studio on the sample; headless it prints the heart rate.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${RPPG_BUILD_DIR:-$root/build}"
"$root/packaging/build.sh"
sample="$root/resources/samples/sample.mp4"
if { [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; } && [ -x "$build/bin/rppg-studio" ] \
   && [ "${RPPG_HEADLESS:-0}" != 1 ]; then
  exec "$build/bin/rppg-studio" "$sample"
fi
exec "$build/bin/rppg" analyze "$sample" "$@"

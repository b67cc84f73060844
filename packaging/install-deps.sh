#!/usr/bin/env bash
# Installs the Debian 12 packages rPPG Studio needs. Idempotent: when everything is present it
# prints nothing and returns in well under a second.
set -euo pipefail

PKGS=(
  cmake ninja-build g++ ccache pkg-config
  qt6-base-dev qt6-multimedia-dev qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools qt6-qpa-plugins
  qt6-translations-l10n libgl-dev
  libtorch-dev
  libopencv-dev opencv-data
  libavcodec-dev libavformat-dev libavutil-dev libswscale-dev ffmpeg
  libqcustomplot-dev
  libdlib-dev libdlib-data
  xvfb xauth fonts-dejavu-core
  appstream desktop-file-utils dpkg-dev
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good
)

# Optional extras, only when asked for (the default set-up does not grow):
#   --fuzz   clang and its runtime libraries for the libFuzzer targets (fuzz/run.sh)
for arg in "$@"; do
  case "$arg" in
    --fuzz) PKGS+=(clang libclang-rt-dev) ;;
    *) echo "usage: install-deps.sh [--fuzz]" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "rppg: installing ${#missing[@]} missing Debian packages: ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "error: need root or sudo to install: ${missing[*]}" >&2; exit 3; }
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=600 "${missing[@]}" >/dev/null
echo "rppg: packages installed" >&2

#!/usr/bin/env bash
# Packaging check (ctest label "packaging"): builds the .deb with CPack from the build tree given
# as $1, unpacks it into a temporary folder (no installation, no root), validates the desktop and
# AppStream files it contains, and runs the unpacked programs: `rppg --version`, `rppg analyze` on
# the installed sample (the heart rate must match the sample's ground truth), and
# `rppg-studio --version` offscreen. The programs find their data relative to their own location
# (../share/rppg-studio), so the unpacked tree works wherever it lies.
set -euo pipefail
build="$(cd "$1" && pwd)"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/rppg-pkgtest-XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
unset RPPG_RESOURCE_DIR
fail() { echo "FAIL: $*" >&2; exit 1; }

cd "$build"
if ! cpack -G DEB -B "$tmp/pkg" >"$tmp/cpack.log" 2>&1; then
  tail -30 "$tmp/cpack.log" >&2
  fail "cpack -G DEB failed"
fi
deb="$(ls "$tmp"/pkg/*.deb 2>/dev/null | head -1)"
[ -f "$deb" ] || fail "no .deb produced"
echo "package: $(basename "$deb") ($(du -h "$deb" | cut -f1))"
dpkg-deb --field "$deb" Package Version Architecture Depends
dpkg-deb --field "$deb" Depends | grep -q "libdlib-data" || fail "Depends lacks libdlib-data"
dpkg-deb --field "$deb" Depends | grep -q "libavcodec" || fail "Depends lacks the FFmpeg libraries (shlibdeps)"

root="$tmp/root"
dpkg-deb -x "$deb" "$root"
share="$root/usr/share"
for f in bin/rppg bin/rppg-studio share/rppg-studio/samples/sample.mp4 share/rppg-studio/samples/sample.gt.csv \
         share/rppg-studio/faces/astronaut.png share/rppg-studio/translations/rppg_studio_zh_CN.qm \
         share/applications/io.github.rppgstudio.RppgStudio.desktop \
         share/metainfo/io.github.rppgstudio.RppgStudio.metainfo.xml \
         share/icons/hicolor/256x256/apps/rppg-studio.png share/icons/hicolor/scalable/apps/rppg-studio.svg \
         share/doc/rppg-studio/LICENSE; do
  [ -e "$root/usr/$f" ] || fail "missing in the package: /usr/$f"
done

if command -v appstreamcli >/dev/null; then
  appstreamcli validate --no-net "$share/metainfo/io.github.rppgstudio.RppgStudio.metainfo.xml" \
    || fail "AppStream metainfo does not validate"
else
  echo "SKIP: appstreamcli not installed (Debian package appstream): metainfo not validated"
fi
if command -v desktop-file-validate >/dev/null; then
  desktop-file-validate "$share/applications/io.github.rppgstudio.RppgStudio.desktop" || fail "desktop file invalid"
fi

version="$("$root/usr/bin/rppg" --version)"
echo "rppg --version: $version"
[[ "$version" == *"$(dpkg-deb --field "$deb" Version)"* ]] || fail "rppg --version does not match the package version"

# The installed sample, analysed by the installed program, from a folder outside both trees.
cd "$tmp"
out="$("$root/usr/bin/rppg" analyze "$share/rppg-studio/samples/sample.mp4" 2>&1)" || { echo "$out" >&2; fail "rppg analyze failed"; }
echo "$out"
echo "$out" | grep -q "ground truth next to the video" || fail "the installed sample's ground truth was not used"
err="$(echo "$out" | sed -n 's/.*error \(-\{0,1\}[0-9.]*\) bpm.*/\1/p' | head -1)"
[ -n "$err" ] || fail "no HR error in the output"
awk -v e="$err" 'BEGIN { exit !(e < 3 && e > -3) }' || fail "HR error $err bpm exceeds 3 bpm"

# Relocation: the unpacked program takes its bundled face photo from the unpacked tree
# (<bin>/../share/rppg-studio), not from the source tree it was built in.
if command -v strace >/dev/null; then
  strace -f -qq -e trace=open,openat -o "$tmp/trace" "$root/usr/bin/rppg" synth "$tmp/tiny.mkv" --duration 1 \
    --size 160x120 >/dev/null 2>&1 || fail "rppg synth in the unpacked tree failed"
  grep -q "$share/rppg-studio/faces/astronaut.png" "$tmp/trace" \
    || fail "the unpacked rppg did not read its face photo from $share/rppg-studio"
  echo "relocation: the face photo came from the unpacked tree"
else
  echo "SKIP: strace not installed: relocation of the data folder not traced"
fi

studio="$(QT_QPA_PLATFORM=offscreen "$root/usr/bin/rppg-studio" --version 2>&1)" || fail "rppg-studio --version failed: $studio"
echo "rppg-studio --version: $studio"
[[ "$studio" == *"$(dpkg-deb --field "$deb" Version)"* ]] || fail "rppg-studio --version does not match"
# A bad value on the window's command line: a one-line error and exit 2, before any window opens.
set +e
bad="$(QT_QPA_PLATFORM=offscreen "$root/usr/bin/rppg-studio" --witness maybe 2>&1)"
rc=$?
set -e
[[ $rc == 2 && "$bad" == *"--witness: use on or off"* ]] || fail "rppg-studio --witness maybe: exit $rc, '$bad'"
echo "PASS"

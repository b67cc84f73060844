#!/bin/sh
# Writes screenshots of rPPG Studio's main window during analysis of the bundled sample to
# docs/screenshots/ (light and dark theme). Runs headless: under Xvfb when xvfb-run is installed,
# else on Qt's offscreen platform. Settings go to a throw-away folder, not the user's.
#
#   packaging/screenshots.sh [BUILD_DIR]      (default: build)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
case $build in /*) ;; *) build=$root/$build ;; esac
app=$build/bin/rppg-studio
[ -x "$app" ] || { echo "error: $app not found (build the rppg-studio target first)" >&2; exit 2; }
out=$root/docs/screenshots
mkdir -p "$out"
config=$(mktemp -d)
trap 'rm -rf "$config"' EXIT
export XDG_CONFIG_HOME=$config
export RPPG_RESOURCE_DIR=$root/resources
export QT_MEDIA_BACKEND=ffmpeg
sample=$root/resources/samples/sample.mp4

run() {
    if command -v xvfb-run >/dev/null 2>&1; then
        xvfb-run -a -s "-screen 0 1600x1000x24" "$@"
    else
        QT_QPA_PLATFORM=offscreen "$@"
    fi
}

# Real-time playback; the picture is taken 16 s into the video (past the first full window).
for theme in light dark; do
    run "$app" --theme "$theme" --screenshot "$out/main-window-$theme.png" --screenshot-at 16 "$sample"
    echo "wrote $out/main-window-$theme.png"
done

# The neural methods (when the build has them): STVEN + rPPGNet alone, then rPPGNet with POS and
# CHROM compared live beside it (after the runs above: the choices are remembered).
if "$build/bin/rppg" info >/dev/null 2>&1; then
    run "$app" --theme light --method stven+rppgnet --screenshot "$out/main-window-neural.png" \
        --screenshot-at 16 "$sample"
    echo "wrote $out/main-window-neural.png"
    run "$app" --theme light --method rppgnet --compare pos,chrom --screenshot "$out/main-window-compare.png" \
        --screenshot-at 16 "$sample"
    echo "wrote $out/main-window-compare.png"
fi

# The codec comparison view on the sample: three codecs at two bit rates, POS and CHROM (a few
# minutes on two cores), in English; and in Simplified Chinese on a short generated clip.
run "$app" --lang en --compare-codecs "$sample" --codecs x264,x265,mpeg4 --bitrates 150k,600k \
    --methods pos,chrom --screenshot "$out/codec-comparison.png"
echo "wrote $out/codec-comparison.png"
clip=$config/clip.mkv
"$build/bin/rppg" synth "$clip" --duration 20 --size 320x240 >/dev/null
run "$app" --lang zh_CN --compare-codecs "$clip" --codecs x264,mpeg4 --bitrates 100k,400k \
    --methods pos,chrom --screenshot "$out/codec-comparison-zh_CN.png"
echo "wrote $out/codec-comparison-zh_CN.png"

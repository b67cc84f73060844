#!/usr/bin/env bash
# Builds the seed corpora of the fuzz targets from the project's own generated files:
#   fuzz/make_seeds.sh RPPG_BINARY OUT_DIR [CHECKPOINT_SEED_TOOL [SETTINGS_SEED_TOOL]]
# `rppg synth` renders a tiny clip (96×72, 1 s) in several codecs and its ground truth; the other
# reference layouts (UBFC, PURE, PPG CSVs, evaluation tables) are made from that ground truth, and
# `rppg analyze --csv` adds an analysis CSV. Every seed is small (the fuzzers mutate bytes).
set -euo pipefail
rppg="$1"
out="$2"
ckpt_tool="${3:-}"
settings_tool="${4:-}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"/{video,csv,evalcsv,datasets,checkpoint,settings}

synth() { "$rppg" synth "$@" --size 96x72 --duration 1 --fps 15 --no-masks --motion none >/dev/null; }
synth "$work/clip.mkv" --codec ffv1 \
  --variant "$work/clip_x264.mp4:x264:100k" --variant "$work/clip_mpeg4.avi:mpeg4:100k" \
  --variant "$work/clip_mjpeg.mov:mjpeg" --variant "$work/clip_x265.mkv:x265:100k"
for f in "$work"/clip*.mkv "$work"/clip*.mp4 "$work"/clip*.avi "$work"/clip*.mov; do
  cp "$f" "$out/video/"
done
# A longer ground truth (12 s) so that HR and beat code paths run on the seeds.
"$rppg" synth "$work/long.mp4" --size 96x72 --duration 12 --fps 15 --no-masks --motion none --codec x264 --crf 40 >/dev/null
gt="$work/long.gt.csv"
cp "$gt" "$out/csv/synthetic.gt.csv"
# Other PPG layouts readPpgCsv() understands, made from the same waveform.
awk -F, '/^#/{next} !h{h=1;next} {print $2","$3}' "$gt" | sed '1i time,ppg' > "$out/csv/time_ppg.csv"
awk -F, '/^#/{next} !h{h=1;next} {print $3}' "$gt" > "$out/csv/single_column.csv"
awk -F, '/^#/{next} !h{h=1;next} {printf "%d,%s,%s\n", $2*1000, $3, $4}' "$gt" | sed '1i timer,ppg,hr' > "$out/csv/heartpy.csv"
awk -F, '/^#/{next} !h{h=1;next} {print $3}' "$gt" | sed '1i ppg' > "$out/csv/vitallens.csv"
"$rppg" analyze "$work/long.mp4" --roi full --csv "$out/csv/analysis.csv" --no-progress --json >/dev/null 2>&1 || true
# Evaluation reference tables (name column + HR column).
printf 'video,hr_bpm\nvideo1,72.5\nsubject2_face,64\n' > "$out/evalcsv/simple.csv"
printf '\xef\xbb\xbf# bias-eval-rppg style\nName,Heart Rate (bpm),Notes\nvideo1,81,ok\nv3,70,\n' > "$out/evalcsv/bom_header.csv"
printf 'subject;hr\nvideo1;72\n' > "$out/evalcsv/semicolon.csv"
printf 'roi=full\nname,bpm\nvideo1,60\nIndia/video1_forehead.avi,75\n' > "$out/evalcsv/options_line.csv"
# Training-dataset references: the first byte picks the layout (0 ubfc2, 1 ubfc1, 2 pure,
# 3 synthetic, 4 folder csv).
{
  printf '\x00'
  awk -F, '/^#/{next} !h{h=1;next} {printf "%s ", $3} END{print ""}' "$gt"
  awk -F, '/^#/{next} !h{h=1;next} {printf "%s ", $4} END{print ""}' "$gt"
  awk -F, '/^#/{next} !h{h=1;next} {printf "%s ", $2} END{print ""}' "$gt"
} > "$out/datasets/ubfc2.bin"
{ printf '\x01'; awk -F, '/^#/{next} !h{h=1;next} {printf "%d,%s,0,%s\n", $2*1000, $4, $3}' "$gt"; } > "$out/datasets/ubfc1.bin"
{
  printf '\x02{"/FullPackage":['
  awk -F, '/^#/{next} !h{h=1;next} {printf "%s{\"Timestamp\":%d,\"Value\":{\"waveform\":%d,\"pulseRate\":%d}}", (n++?",":""), $2*1e9, $3*100, $4}' "$gt"
  printf '],"/Image":['
  awk -F, '/^#/{next} !h{h=1;next} {printf "%s{\"Timestamp\":%d}", (n++?",":""), $2*1e9}' "$gt"
  printf ']}\n'
} > "$out/datasets/pure.bin"
{ printf '\x03'; cat "$gt"; } > "$out/datasets/synthetic.bin"
{ printf '\x04'; cat "$out/csv/time_ppg.csv"; } > "$out/datasets/folder.bin"
if [ -n "$ckpt_tool" ]; then
  "$ckpt_tool" "$out/checkpoint"
fi
# Settings files: real ones written by the app's setters (fuzz_settings_seeds), variants of them
# with values out of range, not finite, of the wrong type or inverted, and a few odd files.
if [ -n "$settings_tool" ]; then
  "$settings_tool" "$out/settings" >/dev/null
  app="$out/settings/app.ini"
  sed -e 's/^windowSec=.*/windowSec=nan/' -e 's/^fps=.*/fps=inf/' -e 's/^bandLowHz=.*/bandLowHz=3/' \
    -e 's/^bandHighHz=.*/bandHighHz=1/' -e 's/^overlayOpacityPercent=.*/overlayOpacityPercent=-1e9/' "$app" > "$out/settings/not-finite.ini"
  sed -e 's/^resolution=.*/resolution=@Size(100000 -5)/' -e 's/^fps=.*/fps=1e308/' -e 's/^method=.*/method=<no such method>/' \
    -e 's/^device=.*/device=cuda:999/' -e 's/^overlayVisible=.*/overlayVisible=maybe/' "$app" > "$out/settings/out-of-range.ini"
  sed -e 's/^recent=.*/recent=, , \/a.mp4, \/a.mp4, "", \/b.mp4/' -e 's/^geometry=.*/geometry=@ByteArray(\\0\\x1)/' \
    -e 's/^\[camera\]/[camera]\nresolution=@Size(1920 1080)/' "$app" > "$out/settings/odd-lists.ini"
fi
printf '[analysis]\nmethod=chrom\nwindowSec=20\n' > "$out/settings/minimal.ini"
printf '\xef\xbb\xbf[General]\nanalysis%%2FwindowSec=8\n[analysis]\r\nwindowSec = "12" ; comment\r\n' > "$out/settings/bom-crlf.ini"
du -sh "$out"/* | sed 's/^/seeds: /'

#!/bin/bash
# Scores STVEN checkpoints in front of the shipped rPPGNet on the benchmark's fixed eight synthetic
# subjects (20 s each, `rppg bench --parts accuracy`) at 250 kb/s with x264, x265 and MPEG-4 and
# losslessly: `rppg eval`'s window MAE (the bench's figure) and per-video MAE, rPPGNet alone first,
# then one line per checkpoint and encoding. The encodes are made once into $WORK/fixed8 and
# reused. About 2 min per checkpoint and encoding on 2 cores.
# Usage (repository root, after a build): bench/gpu/score_stven.sh STVEN.ckpt...
# Environment: WORK (default /tmp/score8); VARIANTS (default lossless,x264@250k,x265@250k,mpeg4@250k)
set -euo pipefail
R=$PWD/build/bin/rppg
WORK=${WORK:-/tmp/score8}
VARIANTS=${VARIANTS:-lossless,x264@250k,x265@250k,mpeg4@250k}
SET=$WORK/fixed8
if [ "$(cat "$SET/variants" 2>/dev/null)" != "$VARIANTS" ]; then
  rm -rf "$SET"
  mkdir -p "$SET"
  echo "making the fixed eight's encodes ($VARIANTS) in $SET"
  "$R" bench --parts accuracy --variants "$VARIANTS" --methods pos --work "$SET/all" > "$WORK/bench.log"
  for f in "$SET"/all/s*_*; do   # s3_x264_250.mp4 and s3_x264_250.gt.csv go to x264_250/
    v=$(basename "$f"); v=${v#*_}; v=${v%%.*}
    mkdir -p "$SET/$v"; mv "$f" "$SET/$v/"
  done
  rmdir "$SET/all"
  echo "$VARIANTS" > "$SET/variants"
fi
# The bench writes the ground truth beside the first encoding only (the others share it through
# its .synth.json); `rppg eval` wants it beside each video.
for f in "$SET"/*/s*_*.*; do
  case $f in *.gt.csv|*.synth.json|*.mask.mkv) continue ;; esac
  stem=${f%.*}; subject=$(basename "$stem"); subject=${subject%%_*}
  [ -f "$stem.gt.csv" ] || cp "$(ls "$SET"/*/"${subject}"_*.gt.csv | head -1)" "$stem.gt.csv"
done
score() {   # label method [--model folder]
  local label=$1 method=$2
  shift 2
  for d in "$SET"/*/; do
    v=$(basename "$d")
    log=$WORK/eval_${label}_$v.log
    "$R" eval "$d" --methods "$method" "$@" --out "$WORK/eval_${label}_$v" --no-progress > "$log" 2>&1 \
      || { echo "$label $v: rppg eval failed, see $log"; continue; }
    awk -v l="$label" -v v="$v" 'toupper($1) == toupper(m) { printf "%-28s %-10s window MAE %6s  (video %s)\n", l, v, $(NF-1), $2 }' \
      m="$method" "$log"
  done
}
score rppgnet rppgnet
for ck in "$@"; do
  name=$(basename "$ck" .ckpt)
  models=$WORK/models_$name
  mkdir -p "$models"
  cp "$ck" "$models/stven-cpu.ckpt"
  cp resources/models/rppgnet-cpu.ckpt "$models/"
  score "$name" stven+rppgnet --model "$models"
done

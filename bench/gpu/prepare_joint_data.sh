#!/bin/bash
# The CPU half of joint_pair.sh, run here before a GPU is lent (about 30 min on 2 cores):
# generates 160 short synthetic recordings at 640x480 with the original and the given compressed
# levels, turns them into a clip cache, packs as many as fit (68 frames each, a window every 4
# frames) under the device machine's 64 MiB upload limit, and writes the lossless-only stage-1
# rPPGNet (commit 380a529, the paper's setting) beside it. Everything goes to .gpudata/
# (git-ignored; name it in the run tool's carry).
# Usage: bench/gpu/prepare_joint_data.sh [LEVELS]   (default x265@250k; comma list, e.g.
#        x264@250k,x265@250k; fewer recordings are packed the more levels there are)
# Needs: build/bin/rppg, python3, ffmpeg.
set -euo pipefail
LEVELS=${1:-x265@250k}
WORK=${WORK:-/tmp/dwork}
R=build/bin/rppg
mkdir -p "$WORK" .gpudata
[ -d "$WORK/s160" ] || $R synth-set --out "$WORK/s160" --count 160 --seed 2611 --duration 5-6 --size 640x480 \
  --levels "ffv1,$LEVELS" --jobs 2
[ -d "$WORK/c160" ] || $R prepare "$WORK/s160" --out "$WORK/c160" --threads 2
# About 3.7 KB per packed frame for the original and 2.9 KB per compressed level: as many
# recordings as keep the pack near 50 MB (112 for one level, 60 for three).
n=$(( $(tr -cd , <<< "$LEVELS" | wc -c) + 1 ))
RECS=${RECS:-$(( 51000 * 10 / (68 * (37 + 29 * n)) ))}
[ "$RECS" -gt 112 ] && RECS=112
rm -rf .gpudata/pack
python3 bench/gpu/pack_cache.py "$WORK/c160" .gpudata/pack "$RECS" 68 4 "original,$LEVELS"
git show 380a529:resources/models/rppgnet-cpu.ckpt > .gpudata/rppgnet-lossless.ckpt
mb=$(du -sm .gpudata | cut -f1)
echo "packed $RECS recordings: $mb MB in .gpudata"
[ "$mb" -le 62 ] || { echo "error: .gpudata is over the 64 MiB upload limit; set RECS lower" >&2; exit 1; }
echo "next, on the device machine (carry .gpudata): JOINT_FLAGS=\"--threads 6\" bash bench/gpu/joint_pair.sh 6.5"

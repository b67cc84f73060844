#!/bin/bash
# The CPU half of joint_pair.sh, run here before a GPU is lent (about 35 min on 2 cores):
# generates 160 short synthetic recordings at 640x480 with the original and the given compressed
# levels, turns them into a clip cache, and packs as many recordings as fit (68 frames each, a
# window every 4 frames) under the device machine's 64 MiB upload limit into .gpudata/pack
# (git-ignored; name .gpudata in the run tool's carry).
# Usage: bench/gpu/prepare_joint_data.sh [LEVELS]   (default x265@250k,mpeg4@250k, what
#        joint_pair.sh's two runs use; comma list; fewer recordings are packed the more levels)
# Environment: WORK (default /tmp/dwork-<levels>) keeps the recordings and the cache, reused when
#        present; RECS overrides the number of packed recordings.
# Needs: build/bin/rppg, python3, ffmpeg.
set -euo pipefail
LEVELS=${1:-x265@250k,mpeg4@250k}
WORK=${WORK:-/tmp/dwork-$(tr ',@' '__' <<< "$LEVELS")}
R=build/bin/rppg
mkdir -p "$WORK" .gpudata
# A folder made for other levels would pack without them: refuse it rather than guess.
if [ -f "$WORK/levels" ] && [ "$(cat "$WORK/levels")" != "$LEVELS" ]; then
  echo "error: $WORK holds levels $(cat "$WORK/levels"), not $LEVELS; set WORK to another folder" >&2
  exit 1
fi
echo "$LEVELS" > "$WORK/levels"
[ -d "$WORK/s160" ] || $R synth-set --out "$WORK/s160" --count 160 --seed 2611 --duration 5-6 --size 640x480 \
  --levels "ffv1,$LEVELS" --jobs 2
[ -d "$WORK/c160" ] || $R prepare "$WORK/s160" --out "$WORK/c160" --threads 2
# Measured on the packs of stops 16 and 18: 3.4 KB per packed frame for the original and 2.7 KB
# per compressed level (lossless x264 RGB of 64x64 crops). Aim at about 60 MB: 112 recordings for
# one level (the cap, stop 15's run), 99 for two, 76 for three.
n=$(( $(tr -cd , <<< "$LEVELS" | wc -c) + 1 ))
RECS=${RECS:-$(( 60000 * 10 / (68 * (34 + 27 * n)) ))}
[ "$RECS" -gt 112 ] && RECS=112
rm -rf .gpudata/pack .gpudata/rppgnet-lossless.ckpt
python3 bench/gpu/pack_cache.py "$WORK/c160" .gpudata/pack "$RECS" 68 4 "original,$LEVELS"
mb=$(du -sm .gpudata | cut -f1)
echo "packed $RECS recordings: $mb MB in .gpudata"
[ "$mb" -le 62 ] || { echo "error: .gpudata is over the 64 MiB upload limit; set RECS lower" >&2; exit 1; }
echo "next, on the device machine (carry .gpudata): JOINT_FLAGS=\"--threads 6\" bash bench/gpu/joint_pair.sh 6.5"

#!/bin/bash
# Two joint stages at once on one GPU, from the repository root of the `device` machine (CUDA
# PyTorch, CMake, ninja, OpenCV's Python module): builds models/ alone against PyTorch's libtorch,
# unpacks the packed clip cache .gpudata/pack (prepare_joint_data.sh), then trains STVEN through a
# frozen rPPGNet in two runs side by side, each for MINUTES:
#   A: the shipped rPPGNet, x265 250k only: stop 15's recipe, the one that beat rPPGNet alone at
#      x264 and x265 250k (bench/RESULTS.md);
#   B: the shipped rPPGNet, every compressed level in the pack (x265 and MPEG-4 250k by default;
#      stop 15's STVEN made MPEG-4 worse, never having seen it).
# Logs and each run's best and last checkpoints go to $OUT.
# Usage: bench/gpu/joint_pair.sh MINUTES
# Environment: JOINT_FLAGS adds options to both runs (e.g. "--threads 6"); A_FLAGS and B_FLAGS to
# one (A_FLAGS defaults to "--levels x265@250k"); A_RPPGNET and B_RPPGNET name another frozen
# rPPGNet (e.g. stop 15's B: `git show 380a529:resources/models/rppgnet-cpu.ckpt`, trained on
# lossless frames only).
set -u
source bench/gpu/common.sh .gpudata/pack /tmp/pack rppg_models_train
wait_unpacked || exit 1
run() {   # name rppgnet-checkpoint extra-flags
  $B/rppg_models_train joint --data /tmp/pack --out /tmp/$1 --device cuda --batch 8 --lr 2e-4 --epochs 200 \
    --steps-per-epoch 250 --val-clips 120 --with-original \
    --recon-weight 0.5 --freq-weight 1 --init resources/models/stven-cpu.ckpt --rppgnet "$2" --log-every 125 \
    --max-minutes "$MIN" ${JOINT_FLAGS:-} $3 > "$OUT/$1.log" 2>&1
}
MIN=$1
SHIPPED=resources/models/rppgnet-cpu.ckpt
run A "${A_RPPGNET:-$SHIPPED}" "${A_FLAGS---levels x265@250k}" &
a=$!
run B "${B_RPPGNET:-$SHIPPED}" "${B_FLAGS:-}" &
b=$!
wait $a; echo "A exit $?"; wait $b; echo "B exit $?"
stamp trained
for r in A B; do
  grep "epoch .*: train" "$OUT/$r.log" | sed "s/^/$r /"
  keep_checkpoints /tmp/$r $r
done
ls -la "$OUT"
stamp done

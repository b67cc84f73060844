#!/bin/bash
# Two joint stages at once on one GPU, from the repository root of the `device` machine (CUDA
# PyTorch, CMake, ninja, OpenCV's Python module): builds models/ alone against PyTorch's libtorch,
# unpacks the packed clip cache .gpudata/pack (pack_cache.py), then trains STVEN through two frozen
# rPPGNets side by side, each for MINUTES:
#   A: the shipped, codec-robust rPPGNet (resources/models/rppgnet-cpu.ckpt): the product's pair;
#   B: an rPPGNet trained on lossless frames only (.gpudata/rppgnet-lossless.ckpt): the paper's setting.
# Logs and each run's best and last checkpoints go to $OUT.
# Usage: bench/gpu/joint_pair.sh MINUTES
# Environment: JOINT_FLAGS adds options to both runs, e.g. "--levels x265@250k" (default: every
# compressed level in the pack).
set -u
source bench/gpu/common.sh .gpudata/pack /tmp/pack rppg_models_train
wait_unpacked || exit 1
run() {   # name rppgnet-checkpoint
  $B/rppg_models_train joint --data /tmp/pack --out /tmp/$1 --device cuda --batch 8 --lr 2e-4 --epochs 200 \
    --steps-per-epoch 250 --val-clips 120 --with-original \
    --recon-weight 0.5 --freq-weight 1 --init resources/models/stven-cpu.ckpt --rppgnet "$2" --log-every 125 \
    --max-minutes "$MIN" ${JOINT_FLAGS:-} > "$OUT/$1.log" 2>&1
}
MIN=$1
run A resources/models/rppgnet-cpu.ckpt &
a=$!
run B .gpudata/rppgnet-lossless.ckpt &
b=$!
wait $a; echo "A exit $?"; wait $b; echo "B exit $?"
stamp trained
for r in A B; do
  grep "epoch .*: train" "$OUT/$r.log" | sed "s/^/$r /"
  keep_checkpoints /tmp/$r $r
done
ls -la "$OUT"
stamp done

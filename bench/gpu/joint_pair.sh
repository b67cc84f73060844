#!/bin/bash
# Two joint stages at once on one GPU, from the repository root of the `device` machine (CUDA
# PyTorch, CMake, ninja, OpenCV's Python module): builds models/ alone against PyTorch's libtorch,
# unpacks the packed clip cache .gpudata/pack (pack_cache.py), then trains STVEN through two frozen
# rPPGNets side by side, each for MINUTES:
#   A: the shipped, codec-robust rPPGNet (resources/models/rppgnet-cpu.ckpt): the product's pair;
#   B: an rPPGNet trained on lossless frames only (.gpudata/rppgnet-lossless.ckpt): the paper's setting.
# Logs and each run's best and last checkpoints go to $OUT.
# Usage: bench/gpu/joint_pair.sh MINUTES
# Environment: JOINT_FLAGS adds options to both runs; LEVELS the compressed levels to train on
# (default x264@250k,x265@250k,mpeg4@250k).
set -u
OUT=${OUT:-/tmp/out}
mkdir -p "$OUT"
exec > >(tee "$OUT/log.txt") 2>&1
t0=$(date +%s)
stamp() { echo "== $(( $(date +%s) - t0 )) s: $*"; }
stamp start
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda)'
PREFIX=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')
python3 bench/gpu/unpack_cache.py .gpudata/pack /tmp/pack > /tmp/unpack.log 2>&1 &
unpack=$!
cmake -S models -B /tmp/bm -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$PREFIX" > /tmp/cmake.log 2>&1 \
  || { tail -30 /tmp/cmake.log; exit 1; }
ninja -C /tmp/bm rppg_models_train > /tmp/ninja.log 2>&1 || { grep -m5 -A5 error /tmp/ninja.log; tail -20 /tmp/ninja.log; exit 1; }
stamp built
wait $unpack || { cat /tmp/unpack.log; echo "unpacking failed"; exit 1; }
cat /tmp/unpack.log
stamp unpacked
B=/tmp/bm/bin
run() {   # name rppgnet-checkpoint
  $B/rppg_models_train joint --data /tmp/pack --out /tmp/$1 --device cuda --batch 8 --lr 2e-4 --epochs 200 \
    --steps-per-epoch 250 --val-clips 120 --levels "$LEVELS" --with-original \
    --recon-weight 0.5 --freq-weight 1 --init resources/models/stven-cpu.ckpt --rppgnet "$2" --log-every 125 \
    --max-minutes "$MIN" ${JOINT_FLAGS:-} > "$OUT/$1.log" 2>&1
}
MIN=$1
LEVELS=${LEVELS:-x264@250k,x265@250k,mpeg4@250k}
run A resources/models/rppgnet-cpu.ckpt &
a=$!
run B .gpudata/rppgnet-lossless.ckpt &
b=$!
wait $a; echo "A exit $?"; wait $b; echo "B exit $?"
stamp trained
for r in A B; do
  grep "epoch .*: train" "$OUT/$r.log" | sed "s/^/$r /"
  cp /tmp/$r/joint-best.ckpt "$OUT/${r}_best.ckpt" 2>/dev/null
  last=$(ls /tmp/$r/joint-epoch*.ckpt 2>/dev/null | sort | tail -1)
  [ -n "$last" ] && cp "$last" "$OUT/${r}_last.ckpt"
done
ls -la "$OUT"
stamp done

#!/bin/bash
# One GPU session, run from the repository root on a machine with a CUDA PyTorch, CMake and ninja
# (the `device` machine): builds models/ alone against PyTorch's libtorch, checks that the shipped
# CPU checkpoints load and run on CUDA and round-trip bit-exactly, times every configuration on the
# GPU, then trains STVEN and the joint stage on the packed cache in .gpudata/cache16 (see
# pack_cache.py), each within a time budget. Results and checkpoints go to $OUT.
# Usage: bench/gpu/device_session.sh STVEN_MINUTES JOINT_MINUTES (0 skips the joint stage)
# Environment: SKIP_CHECKS=1 leaves out the device check and the timing; STVEN_FLAGS adds options
# to the STVEN run (e.g. "--restore-only --lr 2e-4").
set -u
source bench/gpu/common.sh .gpudata/cache16 /tmp/cache16 rppg_models_train rppg_models_bench
if [ -z "${SKIP_CHECKS:-}" ]; then
$B/rppg_models_train devicecheck --device cuda resources/models/rppgnet-cpu.ckpt resources/models/stven-cpu.ckpt
stamp devicecheck
$B/rppg_models_bench --device cuda --threads 1 --runs 20 | tee "$OUT/bench_cuda.md"
stamp bench
fi
wait_unpacked || exit 1
[ -s /tmp/cache16/frames_l4.bin ] || { echo "no training data"; exit 1; }
$B/rppg_models_train stven --data /tmp/cache16 --out /tmp/stven --device cuda --batch 8 --lr 2e-4 --epochs 40 \
  --steps-per-epoch 150 --val-clips 48 --log-every 50 --max-minutes "$1" ${STVEN_FLAGS:-}
stamp stven
keep_checkpoints /tmp/stven stven || exit 1
last=$OUT/stven_last.ckpt
[ "$2" != 0 ] || { stamp done; exit 0; }
$B/rppg_models_train joint --data /tmp/cache16 --out /tmp/joint --device cuda --batch 8 --lr 1e-4 --epochs 40 \
  --steps-per-epoch 100 --val-clips 48 --init "$last" --rppgnet resources/models/rppgnet-cpu.ckpt --log-every 50 \
  --max-minutes "$2"
stamp joint
keep_checkpoints /tmp/joint joint
stamp done

# Sourced by the GPU session scripts (device_session.sh, joint_pair.sh), from the repository root
# of the `device` machine: logs everything to $OUT/log.txt, names the GPU and PyTorch, starts
# unpacking the packed cache PACKED into UNPACKED in the background (its pid in $unpack) and
# builds models/ alone against PyTorch's CUDA libtorch in /tmp/bm (binaries in $B).
# Usage: source bench/gpu/common.sh PACKED UNPACKED TARGET...
OUT=${OUT:-/tmp/out}
mkdir -p "$OUT"
exec > >(tee "$OUT/log.txt") 2>&1
t0=$(date +%s)
stamp() { echo "== $(( $(date +%s) - t0 )) s: $*"; }
stamp start
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda)'
PREFIX=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')
python3 bench/gpu/unpack_cache.py "$1" "$2" > /tmp/unpack.log 2>&1 &
unpack=$!
shift 2
cmake -S models -B /tmp/bm -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$PREFIX" > /tmp/cmake.log 2>&1 \
  || { tail -30 /tmp/cmake.log; exit 1; }
ninja -C /tmp/bm "$@" > /tmp/ninja.log 2>&1 || { grep -m5 -A5 error /tmp/ninja.log; tail -20 /tmp/ninja.log; exit 1; }
stamp built
B=/tmp/bm/bin

# Waits for the background unpacking and prints its log; fails when it did.
wait_unpacked() {
  wait $unpack || { cat /tmp/unpack.log; echo "unpacking failed"; return 1; }
  cat /tmp/unpack.log
  stamp unpacked
}

# Copies run folder $1's best and last epoch checkpoints (MODE-best.ckpt, MODE-epochNNN.ckpt) to
# $OUT/$2_best.ckpt and $OUT/$2_last.ckpt; fails when no epoch finished.
keep_checkpoints() {
  cp "$1"/*-best.ckpt "$OUT/$2_best.ckpt" 2>/dev/null
  local last
  last=$(ls "$1"/*-epoch*.ckpt 2>/dev/null | sort | tail -1)
  [ -n "$last" ] && cp "$last" "$OUT/$2_last.ckpt"
}

#!/bin/bash
# rppg_models_train, the trainer that needs libtorch alone: usage errors, damaged input, and the
# device round trip of the shipped weights (CPU, or CUDA with --cuda: exit 77 = skipped when this
# libtorch has no CUDA or no GPU is present).
#   tst_models_tools.sh TOOL RESOURCE_MODELS_DIR [--cuda]
set -u
tool=$1
models=$2
fail() { echo "FAIL: $*"; exit 1; }
device=cpu
if [ "${3:-}" = --cuda ]; then
    device=cuda
    out=$("$tool" devicecheck --device cuda "$models/rppgnet-cpu.ckpt" 2>&1)
    if grep -q "no CUDA or no GPU" <<<"$out"; then
        echo "SKIP: $out"
        exit 77
    fi
fi
out=$("$tool" devicecheck --device "$device" "$models/rppgnet-cpu.ckpt" "$models/stven-cpu.ckpt" 2>&1) || fail "devicecheck: $out"
[ "$(grep -c 'bit-exact -> ok' <<<"$out")" = 2 ] || fail "round trip: $out"
echo "$out"
[ "$device" = cpu ] || exit 0

"$tool" >/dev/null 2>&1; [ $? = 2 ] || fail "no mode should exit 2"
"$tool" stven --batch x >/dev/null 2>&1; [ $? = 2 ] || fail "a bad value should exit 2"
"$tool" magic --data x --out y >/dev/null 2>&1; [ $? = 2 ] || fail "an unknown mode should exit 2"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
head -c 5000 "$models/rppgnet-cpu.ckpt" >"$tmp/cut.ckpt"
err=$("$tool" devicecheck --device cpu "$tmp/cut.ckpt" 2>&1 >/dev/null); code=$?
[ $code = 1 ] && [ "$(wc -l <<<"$err")" = 1 ] || fail "a truncated checkpoint: exit $code, '$err'"
err=$("$tool" stven --data "$tmp/none" --out "$tmp/out" 2>&1 >/dev/null); code=$?
[ $code = 1 ] && grep -q "not found" <<<"$err" || fail "a missing cache: exit $code, '$err'"
echo "PASS"

#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) into build-fuzz/, makes the seed corpora and
# runs every target (or the ones named) for SECONDS each, one after another, niced:
#   fuzz/run.sh SECONDS [TARGET...]          e.g. fuzz/run.sh 600, fuzz/run.sh 60 fuzz_csv
# Corpora grow in build-fuzz/corpus/<target>/ (seeds in build-fuzz/seeds/); crashes, hangs (> 5 s
# per input), leaks and out-of-memory inputs land in build-fuzz/findings/<target>/. A summary line
# per target (executions, execs/s, corpus size, result) goes to stdout and build-fuzz/fuzz-summary.txt.
# Needs clang and libclang-rt-dev (packaging/install-deps.sh --fuzz installs them) and a normal
# build's `rppg` for the seeds ($RPPG_BIN, default build/bin/rppg; built core-only when missing).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${1:?usage: fuzz/run.sh SECONDS [TARGET...]}"
shift
bdir="${RPPG_FUZZ_BUILD_DIR:-$root/build-fuzz}"
jobs="${RPPG_FUZZ_JOBS:-2}"
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(fuzz_csv fuzz_evalcsv fuzz_datasets fuzz_checkpoint fuzz_video fuzz_settings)

"$root/packaging/install-deps.sh" --fuzz
if [ ! -f "$bdir/build.ninja" ]; then
  CC=clang CXX=clang++ cmake -S "$root" -B "$bdir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DRPPG_FUZZ=ON -DRPPG_BUILD_GUI=OFF -DRPPG_BUILD_TESTS=OFF >/dev/null
fi
build_targets=()
for t in "${targets[@]}"; do
  build_targets+=("$t")
  [ "$t" = fuzz_checkpoint ] && build_targets+=(fuzz_checkpoint_seeds)
  [ "$t" = fuzz_settings ] && build_targets+=(fuzz_settings_seeds)
done
nice cmake --build "$bdir" -j "$jobs" --target "${build_targets[@]}"

rppg="${RPPG_BIN:-$root/build/bin/rppg}"
if [ ! -x "$rppg" ]; then
  core="$root/build-core"
  [ -f "$core/build.ninja" ] || cmake -S "$root" -B "$core" -G Ninja -DCMAKE_BUILD_TYPE=Release -DRPPG_CORE_ONLY=ON >/dev/null
  nice cmake --build "$core" -j "$jobs" --target rppg
  rppg="$core/bin/rppg"
fi
settings_seeds=""
[ -x "$bdir/bin/fuzz_settings_seeds" ] && settings_seeds="$bdir/bin/fuzz_settings_seeds"
if [ ! -d "$bdir/seeds/video" ] || { [ -n "$settings_seeds" ] && [ ! -f "$bdir/seeds/settings/app.ini" ]; }; then
  ckpt=""
  [ -x "$bdir/bin/fuzz_checkpoint_seeds" ] && ckpt="$bdir/bin/fuzz_checkpoint_seeds"
  "$root/fuzz/make_seeds.sh" "$rppg" "$bdir/seeds" "$ckpt" "$settings_seeds"
fi

declare -A seeddir=([fuzz_csv]=csv [fuzz_evalcsv]=evalcsv [fuzz_datasets]=datasets [fuzz_checkpoint]=checkpoint [fuzz_video]=video
                    [fuzz_settings]=settings)
summary="$bdir/fuzz-summary.txt"
status=0
# Inputs are written to files: on a RAM disk when there is one (fuzz_settings saves files, and
# QSaveFile syncs them to disk, which costs milliseconds on a real disk).
if [ -z "${RPPG_FUZZ_TMP:-}" ]; then
  RPPG_FUZZ_TMP=/tmp
  [ -d /dev/shm ] && [ -w /dev/shm ] && RPPG_FUZZ_TMP=/dev/shm
fi
export RPPG_FUZZ_TMP
for t in "${targets[@]}"; do
  corpus="$bdir/corpus/$t"
  findings="$bdir/findings/$t"
  mkdir -p "$corpus" "$findings"
  log="$bdir/fuzz-$t.log"
  echo "fuzz: $t for ${seconds}s" >&2
  set +e
  ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=1" UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
    nice "$bdir/bin/$t" "$corpus" "$bdir/seeds/${seeddir[$t]}" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=3072 \
    -max_len=1048576 -print_final_stats=1 -artifact_prefix="$findings/" >"$log" 2>&1
  rc=$?
  set -e
  execs=$(grep -m1 '^stat::number_of_executed_units' "$log" | awk '{print $2}')
  speed=$(grep -m1 '^stat::average_exec_per_sec' "$log" | awk '{print $2}')
  found=$(find "$findings" -type f | wc -l)
  result=clean
  [ "$rc" -ne 0 ] || [ "$found" -ne 0 ] && { result="FOUND ($found file(s) in $findings, exit $rc)"; status=1; }
  line="$(date -u +%FT%TZ) $t ${seconds}s execs=${execs:-?} execs/s=${speed:-?} corpus=$(ls "$corpus" | wc -l) $result"
  echo "$line" | tee -a "$summary"
done
exit $status

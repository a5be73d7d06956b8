#!/usr/bin/env bash
# Builds the libFuzzer targets (Fuzz/Targets, address sanitizer on) and runs each for a while.
#   scripts/fuzz.sh [seconds-per-target] [target...]     default: 300 s each, every target
#   scripts/fuzz.sh ci [target...]                       the same 5,000 inputs per target on every run (seed 1):
#                                                        a test run whose outcome depends on the code, not on luck
# Starts from the committed seed corpus (Fuzz/Corpus/<target>); what a run learns goes to .build-fuzz/corpus,
# crashes, invariant failures, hangs (> 10 s per input) and out-of-memory inputs to .build-fuzz/artifacts.
# Exits non-zero when any target found one. Replay one input: .build-fuzz/release/<target> FILE
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-300}"
shift || true
limit=(-max_total_time="$seconds")
[ "$seconds" = ci ] && limit=(-seed=1 -runs=5000)
targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then
  targets=(fuzz-json-tape fuzz-native-decoder fuzz-twilio-decoder fuzz-form-decoder fuzz-line-reader fuzz-request-target)
fi

scratch=.build-fuzz
export TEAMSVIEW_FUZZ=1  # Package.swift declares the fuzz targets only then
# The Swift runtime's backtracer would wait on the crashed process; libFuzzer and ASan print the stack.
export SWIFT_BACKTRACE=enable=no
# swiftc keeps only its last -sanitize flag, and `swift build --sanitize=fuzzer --sanitize=address` gives two in no
# set order (fuzzer then address leaves the code without coverage): --sanitize=fuzzer tells the package manager
# that libFuzzer brings main(), the one list at the end turns both on. lld: gold drops the coverage sections' bounds.
build=(swift build --scratch-path "$scratch" -c release --sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address
       -Xswiftc -use-ld=lld)

start=$(date +%s)
for t in "${targets[@]}"; do
  "${build[@]}" --product "$t" 2>&1 | grep -E "error|warning: |Build complete" | grep -v "__asan_extra_spill_area" || true
  [ -x "$scratch/release/$t" ] || { echo "fuzz.sh: building $t failed" >&2; exit 2; }
done
echo "fuzz.sh: built ${#targets[@]} targets in $(( $(date +%s) - start )) s"

mkdir -p "$scratch/artifacts" "$scratch/logs"
failed=()
for t in "${targets[@]}"; do
  mkdir -p "$scratch/corpus/$t"
  options=("${limit[@]}" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
           -artifact_prefix="$scratch/artifacts/$t-")
  case "$t" in
    fuzz-json-tape|fuzz-native-decoder|fuzz-twilio-decoder) options+=(-dict=Fuzz/json.dict -max_len=8192) ;;
    *) options+=(-max_len=4096) ;;
  esac
  log="$scratch/logs/$t.log"
  if "$scratch/release/$t" "${options[@]}" "$scratch/corpus/$t" "Fuzz/Corpus/$t" >"$log" 2>&1; then
    status=ok
  else
    status=FAILED
    failed+=("$t")
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  echo "fuzz.sh: $t: $status, ${runs:-?} executions, ${rate:-?}/s (log $log)"
  if [ "$status" = FAILED ]; then
    grep -E "invariant broken|Fatal error|ERROR: (AddressSanitizer|libFuzzer)|SUMMARY|Test unit written" "$log" | head -8 >&2 || true
  fi
done
echo "fuzz.sh: done in $(( $(date +%s) - start )) s"
if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz.sh: failures in ${failed[*]}; inputs in $scratch/artifacts" >&2
  exit 1
fi

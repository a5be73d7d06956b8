#!/usr/bin/env bash
# Builds the server and its Swift test suites with the address sanitizer into .build-asan and runs the tests.
#   scripts/asan.sh [swift test options, e.g. --filter TeamsIngestTests]   (default: all but LoadTests)
# Exits non-zero on a failing test or a sanitizer report (ASan aborts the test process).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
start=$(date +%s)
swift build --build-tests --scratch-path .build-asan -Xswiftc -sanitize=address
built=$(date +%s)
# Leak checking is off: the Swift runtime keeps metadata caches and the tests keep servers' globals for the
# process's life, which LeakSanitizer reports as leaks. Use-after-free, overflows and double frees stay fatal.
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:halt_on_error=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export SWIFT_BACKTRACE=enable=no
# The suites that start the real server start this build of it, sanitized too.
export TEAMSVIEW_BIN="$PWD/.build-asan/debug/teamsview"
# LoadTests asserts a request count within a fixed time, which a sanitized build on a small machine misses;
# it runs unsanitized in scripts/test.sh. Options given to this script replace the skip.
if [ "$#" -eq 0 ]; then set -- --skip LoadTests; fi
swift test --skip-build --scratch-path .build-asan "$@"
echo "asan.sh: built in $((built - start)) s, tested in $(( $(date +%s) - built )) s"

#!/usr/bin/env bash
# Builds the teamsview server (the one product the demo needs, as README's "Running it" builds it) and starts the
# simulated contact centre at http://127.0.0.1:8080 (Ctrl-C stops it).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build -c release --product teamsview
exec .build/release/teamsview serve --demo "$@"

#!/usr/bin/env bash
# Installs what is missing, then runs every test: the Swift suites (real server on loopback,
# real seeds), the Flex plugin's Node suites (fakes of Flex, then the real server), the browser
# suites (headless Chromium against the real server) and the abuse scenarios (floods, slow
# clients, TLS) against the real binary; after the Swift suites, each fuzz target briefly (the same 5,000 inputs each run, from the committed
# corpus, which replays the inputs that once found bugs and keeps the targets compiling).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
swift build --build-tests
swift test --skip-build
scripts/fuzz.sh ci
export TEAMSVIEW_BIN="$PWD/.build/debug/teamsview"
node --test integrations/flex-plugin/test/*.test.js
# Two runs: each folder has its own conftest module (the same module name cannot load twice in one run).
python3 -m pytest Tests/scenarios -q -p no:cacheprovider
python3 -m pytest Tests/browser -q -p no:cacheprovider

#!/usr/bin/env bash
# The test command: installs missing system dependencies, builds everything with warnings
# checked, and runs every test (unit, socket, crash and wire-protocol tests).
set -euo pipefail
cd "$(dirname "$0")/.."

deploy/install-dependencies.sh

log=$(mktemp)
trap 'rm -f "$log"' EXIT
swift build --build-tests 2>&1 | tee "$log"
# Our code must build without warnings. SwiftPM's own note about the -isystem flags in
# Debian's libzmq.pc (from its Requires.private) is about the system, not our sources.
if grep -E "^$PWD/(Shared|Services|Tools|Tests)/.*warning:" "$log"; then
    echo "error: the build has warnings (listed above)" >&2
    exit 1
fi

# Three runs. Swift Testing starts every suite of a run at once; on two cores the suites
# that run services as processes (with tshark, Python and Chromium) starved the in-process
# ones that wait on timeouts when all started together. So: the unit and in-process suites,
# then the end-to-end suites, then the abuse tests — which load a service on purpose and
# measure its memory — alone.
swift test --skip-build --skip EndToEndTests
swift test --skip-build --filter EndToEndTests --skip AbuseTests
swift test --skip-build --filter AbuseTests

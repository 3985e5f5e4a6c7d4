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

# The abuse tests load a service on purpose (thousands of requests, megabytes each) and
# measure its memory; they run on their own, after the rest, so that they neither starve
# the tests that wait on timeouts nor share the machine with them.
swift test --skip-build --skip AbuseTests
swift test --skip-build --filter AbuseTests

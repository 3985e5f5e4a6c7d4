#!/usr/bin/env bash
# Runs the whole suite on this machine from local defaults: installs what is missing,
# builds every service and the omnibus tool, then `omnibus up` (data in ./data unless
# --data says otherwise; any omnibus up flag may follow). Ctrl-C stops it cleanly.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
deploy/install-dependencies.sh
swift build -c release
exec .build/release/omnibus up --config deploy/omnibus.json "$@"

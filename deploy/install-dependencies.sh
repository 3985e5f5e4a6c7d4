#!/usr/bin/env bash
# Installs what Omnibus needs to build and test on Debian 12, skipping what is there:
# libzmq (with CURVE), SQLite headers, pkg-config, pyzmq for the wire-protocol test,
# Debian's aiosmtpd and openssl for the notifications tests' real SMTP server (STARTTLS),
# chromium with websocket-client for the gateway's browser test, schemathesis for its OpenAPI test,
# and tshark for the test that looks for personal data on the wire with CURVE on and off.
set -euo pipefail

missing=()
for package in libzmq3-dev libsqlite3-dev pkg-config python3-aiosmtpd openssl chromium tshark; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
python3 -m pip --version >/dev/null 2>&1 || missing+=(python3-pip)
if ((${#missing[@]})); then
    sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    echo "installing: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

for module in zmq:pyzmq websocket:websocket-client schemathesis:schemathesis; do
    if ! python3 -c "import ${module%%:*}" 2>/dev/null; then
        echo "installing: ${module#*:}"
        python3 -m pip install --quiet "${module#*:}" 2>/dev/null || python3 -m pip install --quiet --break-system-packages "${module#*:}"
    fi
done

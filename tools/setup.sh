#!/bin/sh
# tools/setup.sh - install what finn-run needs on Debian 12, idempotently:
# only missing packages are installed, and nothing runs when all are there.
set -eu
PKGS="build-essential cmake pkg-config protobuf-c-compiler libprotobuf-c-dev libyaml-dev
uthash-dev zlib1g-dev python3-onnx python3-numpy valgrind"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "setup: installing$missing"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
echo "setup: all dependencies present"

#!/usr/bin/env bash
# Install what building and testing libram needs on Debian 12 (and Ubuntu).
#
# usage: sudo scripts/setup-debian.sh        (as root: scripts/setup-debian.sh)
#
# .ci/run calls this too, so the package list lives only here.
set -euo pipefail

PACKAGES=(
    build-essential   # cc, c++, make, ar
    pkg-config
    check             # unit-test framework (pkg-config check)
    libopenblas-dev   # CBLAS provider (pkg-config openblas)
    zlib1g-dev        # examples: gzip-compressed MNIST IDX files
    libpng-dev        # examples: glimpse images
)

if [ "$(id -u)" -ne 0 ]; then
    echo "setup-debian: run as root (sudo $0)" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
for try in 1 2 3; do
    if apt-get update; then
        break
    fi
    [ "$try" -lt 3 ] || exit 1
    echo "setup-debian: apt-get update failed, retrying" >&2
    sleep 5
done
apt-get install -y --no-install-recommends "${PACKAGES[@]}"

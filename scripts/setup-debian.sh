#!/usr/bin/env bash
# Install what building and testing libram needs on Debian 12 (and Ubuntu).
#
# usage: scripts/setup-debian.sh   (as root, or as a user who may sudo)
#
# .ci/run calls this too, so the package list lives only here.
set -euo pipefail

PACKAGES=(
    build-essential   # cc, c++, make, ar
    pkg-config
    check             # unit-test framework (pkg-config check)
    libopenblas-dev   # CBLAS provider (pkg-config openblas)
    zlib1g-dev        # examples and apps: gzip-compressed MNIST IDX files
    libpng-dev        # apps: glimpse images
    curl              # scripts/fetch-mnist.sh (make demo without MNIST)
    ca-certificates   # https for curl
    clang             # scripts/check-headers.sh: clang -Wdocumentation on the headers
    libclang-rt-dev   # make fuzz: clang's libFuzzer, ASan and UBSan runtimes
    valgrind          # make check-valgrind
    abigail-tools     # make check-abi: abidw, abidiff (docs/abi.md)
    libopenmpi-dev    # mpicc, mpi.h: examples/mpi, ram-mnist-mpi (docs/mpi.md)
    openmpi-bin       # mpirun: make check's MPI smoke test (scripts/check-mpi.sh)
    python3           # make check-python: the Python binding (bindings/python)
    python3-numpy     #   its only dependency
    python3-pytest    #   its test runner (unittest is the fallback)
    mypy              #   mypy --strict on its type hints
    python3-venv      #   pip install bindings/python into a venv
    python3-setuptools #  the build backend of bindings/python/pyproject.toml
)

# As root (a Debian container has no sudo) it runs as it is; as another
# user it asks sudo, if there is one.
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        exec sudo "$0" "$@"
    fi
    echo "setup-debian: run as root (there is no sudo here)" >&2
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

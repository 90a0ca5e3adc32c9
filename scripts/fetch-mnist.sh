#!/bin/sh
# Download the four MNIST files into DIR and check their MD5 sums.
#
#   scripts/fetch-mnist.sh DIR
#
# Tries each mirror in turn, with curl (or wget if curl is missing or
# fails). Files already in DIR with the right MD5 are kept. Exits non-zero,
# with a message, if a file cannot be downloaded or its MD5 is wrong.
# Then use the data with --data DIR or RAM_MNIST_DIR=DIR.
# MNIST_MIRRORS (space-separated base URLs) replaces the mirror list.
#
# MNIST is by Yann LeCun, Corinna Cortes and Christopher J.C. Burges
# (CC BY-SA 3.0).

set -u

DEFAULT_MIRRORS="https://ossci-datasets.s3.amazonaws.com/mnist
https://storage.googleapis.com/cvdf-datasets/mnist
http://yann.lecun.com/exdb/mnist"
MIRRORS=${MNIST_MIRRORS:-$DEFAULT_MIRRORS}

# file name, MD5 of the gzipped file (official values)
FILES="train-images-idx3-ubyte.gz f68b3c2dcbeaaa9fbdd348bbdeb94873
train-labels-idx1-ubyte.gz d53e105ee54ea40749a09fcbcd1e9432
t10k-images-idx3-ubyte.gz 9fb629c4189551a2d022fa330f9573f3
t10k-labels-idx1-ubyte.gz ec29112dd5afa0611ce80d1b7f02629c"

prog=$(basename "$0")

die() {
    printf '%s: error: %s\n' "$prog" "$*" >&2
    exit 1
}

usage() {
    printf 'usage: %s DIR\n' "$prog" >&2
    printf 'Downloads the MNIST files into DIR and checks their MD5 sums.\n' >&2
}

if [ $# -ne 1 ] || [ -z "$1" ]; then
    usage
    exit 2
fi
case "$1" in
-h | --help)
    usage
    exit 0
    ;;
esac
DIR=$1

# Prints the MD5 of a file, or nothing if no MD5 tool is available.
md5_of() {
    if command -v md5sum >/dev/null 2>&1; then
        md5sum "$1" | cut -d ' ' -f 1
    elif command -v md5 >/dev/null 2>&1; then
        md5 -q "$1"
    elif command -v openssl >/dev/null 2>&1; then
        openssl md5 -r "$1" | cut -d ' ' -f 1
    fi
}

# download URL OUT: 0 on success.
download() {
    if command -v curl >/dev/null 2>&1; then
        if curl -fL --retry 2 --connect-timeout 30 -sS -o "$2" "$1"; then
            return 0
        fi
    fi
    if command -v wget >/dev/null 2>&1; then
        if wget -q -T 30 -t 2 -O "$2" "$1"; then
            return 0
        fi
    fi
    return 1
}

command -v curl >/dev/null 2>&1 || command -v wget >/dev/null 2>&1 ||
    die "neither curl nor wget is installed"
[ -n "$(md5_of "$0")" ] ||
    die "no MD5 tool found (need md5sum, md5 or openssl)"

mkdir -p "$DIR" || die "cannot create directory $DIR"

status=0
echo "$FILES" | while read -r name md5; do
    out="$DIR/$name"
    if [ -f "$out" ]; then
        got=$(md5_of "$out")
        if [ "$got" = "$md5" ]; then
            echo "$name: already present, MD5 OK"
            continue
        fi
        echo "$name: present but MD5 is $got, expected $md5; downloading again"
    fi
    part="$out.part"
    ok=0
    last=""
    for mirror in $MIRRORS; do
        url="$mirror/$name"
        echo "$name: downloading $url"
        rm -f "$part"
        if ! download "$url" "$part"; then
            echo "$name: download from $mirror failed" >&2
            last="download failed"
            continue
        fi
        got=$(md5_of "$part")
        if [ "$got" != "$md5" ]; then
            echo "$name: MD5 mismatch from $mirror: got $got, expected $md5" >&2
            last="MD5 mismatch (got $got, expected $md5)"
            continue
        fi
        mv -f "$part" "$out" || die "cannot move $part to $out"
        echo "$name: OK ($md5)"
        ok=1
        break
    done
    rm -f "$part"
    if [ "$ok" -ne 1 ]; then
        printf '%s: error: %s: no mirror gave a good copy (last: %s)\n' \
            "$prog" "$name" "$last" >&2
        exit 1
    fi
done || status=1

if [ "$status" -ne 0 ]; then
    die "MNIST download incomplete; see the messages above"
fi
echo "MNIST files are in $DIR (use --data $DIR or RAM_MNIST_DIR=$DIR)"

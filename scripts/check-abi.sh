#!/usr/bin/env bash
# The ABI guard (docs/abi.md): compares the built shared library with the
# committed baseline abi/libram-VERSION.abi, written by libabigail's abidw
# (Debian package abigail-tools), using abidiff.
#
# usage: scripts/check-abi.sh check    SO VERSION   (make check-abi)
#        scripts/check-abi.sh baseline SO VERSION   (make abi-baseline)
#
# check     fails when there is no baseline for VERSION (the version changed
#           and no baseline was written for it), or when abidiff reports any
#           difference at all between the baseline and SO: a removed, added
#           or changed function, a changed type reachable from the public
#           headers, a changed soname.
# baseline  writes abi/libram-VERSION.abi from SO, and removes the baselines
#           of other versions; it refuses unless CHANGELOG.md's top entry is
#           VERSION (the change must be announced there first).
#
# Only what the public headers declare counts (abidw --headers-dir
# include/ram --drop-private-types): the handles' structs, which are opaque,
# may change freely. Enumerator values are not in the dump (enums are passed
# as int); tests/test_abi_values.c pins them.
# env: ABIDW, ABIDIFF (abidw, abidiff), READELF (readelf), INCLUDE (include)
set -euo pipefail

mode=${1:?usage: check-abi.sh check|baseline SO VERSION}
so=${2:?usage: check-abi.sh check|baseline SO VERSION}
version=${3:?usage: check-abi.sh check|baseline SO VERSION}
ABIDW=${ABIDW:-abidw}
ABIDIFF=${ABIDIFF:-abidiff}
READELF=${READELF:-readelf}
inc=${INCLUDE:-include}
dir=abi
baseline=$dir/libram-$version.abi

die() { echo "check-abi: $*" >&2; exit 1; }

for tool in "$ABIDW" "$ABIDIFF"; do
    command -v "$tool" >/dev/null 2>&1 ||
        die "'$tool' not found: install abigail-tools (scripts/setup-debian.sh does)"
done
[ -f "$so" ] || die "no $so (make builds it)"
# Without DWARF, abidw sees symbols only and the check would miss type changes.
sections=$("$READELF" -S "$so" 2>/dev/null || true)
if ! printf '%s\n' "$sections" | grep -q '\.debug_info'; then
    die "$so has no debug information: build with -g (the default CFLAGS -O2 -g)"
fi

dump() { # dump SO OUT
    "$ABIDW" --headers-dir "$inc/ram" --drop-private-types --no-corpus-path \
        --out-file "$2" "$1"
}

case $mode in
check)
    if [ ! -f "$baseline" ]; then
        others=$(ls "$dir"/libram-*.abi 2>/dev/null | tr '\n' ' ' || true)
        die "no ABI baseline for version $version ($baseline; present: ${others:-none}).
  A new version must announce its ABI: add its entry to CHANGELOG.md (what broke,
  how to migrate), then run 'make abi-baseline' and commit $baseline (docs/abi.md)."
    fi
    tmp=$(mktemp "${TMPDIR:-/tmp}/ram-abi.XXXXXX")
    trap 'rm -f "$tmp"' EXIT
    dump "$so" "$tmp"
    set +e
    report=$("$ABIDIFF" "$baseline" "$tmp" 2>&1)
    rc=$?
    set -e
    if [ $rc -ne 0 ]; then
        printf '%s\n' "$report" >&2
        what="changed"
        [ $((rc & 8)) -ne 0 ] && what="changed INCOMPATIBLY"
        [ $((rc & 3)) -ne 0 ] && what="could not be compared (abidiff status $rc)"
        die "the ABI of $so $what against $baseline (above).
  If the change is intended: change the version in include/ram/version.h (a break
  before 1.0: the next MINOR, which changes the soname; after 1.0: the next MAJOR;
  an addition: the next MINOR), announce it in CHANGELOG.md, then run
  'make abi-baseline' and commit the new baseline (docs/abi.md)."
    fi
    echo "check-abi: $so matches $baseline"
    ;;
baseline)
    top=$(sed -n 's/^##*[[:space:]]*\[\{0,1\}v\{0,1\}\([0-9][0-9]*\.[0-9][0-9]*\.[0-9][0-9]*\).*/\1/p' \
        CHANGELOG.md 2>/dev/null | sed -n 1p)
    [ "$top" = "$version" ] ||
        die "CHANGELOG.md's top entry is '$top', not $version: announce the version first"
    mkdir -p "$dir"
    dump "$so" "$baseline.tmp"
    mv -f "$baseline.tmp" "$baseline"
    for f in "$dir"/libram-*.abi; do
        [ "$f" = "$baseline" ] && continue
        rm -f "$f"
        echo "check-abi: removed the old baseline $f"
    done
    echo "check-abi: wrote $baseline from $so; commit it"
    ;;
*)
    die "unknown mode '$mode' (check or baseline)"
    ;;
esac

#!/usr/bin/env bash
# ABI check: the symbols libram exports must be exactly those in lib/ram.map.
#
# usage: scripts/check-exports.sh SHARED_LIB STATIC_LIB MAP INCLUDE_DIR [VERSION]
#
# Fails (exit 1, printing the differences) unless:
#  1. the dynamic symbols defined by SHARED_LIB (nm -D --defined-only, less the
#     version-node symbols such as RAM_0.1) are exactly the global symbols of
#     MAP;
#  2. every one of them, and every symbol in MAP, starts with ram_;
#  3. STATIC_LIB defines no global symbol without the ram_ prefix (internal
#     functions shared between lib/*.c files need the prefix too);
#  4. the RAM_API functions declared in INCLUDE_DIR/ram/*.h are exactly the
#     symbols of MAP (a declaration is a line starting with RAM_API; the
#     function name is the identifier before the first '(');
#  5. with VERSION (X.Y.Z), the newest version node of MAP is RAM_X.Y.
set -euo pipefail

if [ $# -lt 4 ] || [ $# -gt 5 ]; then
    echo "usage: $0 SHARED_LIB STATIC_LIB MAP INCLUDE_DIR [VERSION]" >&2
    exit 2
fi
so=$1 ar=$2 map=$3 inc=$4 version=${5:-}
NM=${NM:-nm}
export LC_ALL=C

for f in "$so" "$ar" "$map"; do
    [ -f "$f" ] || { echo "check-exports: $f does not exist" >&2; exit 1; }
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
problem() { echo "check-exports: FAIL: $*" >&2; fail=1; }

# Version script: global symbols, and node names in order (newest last).
# Comments (/* */ and #) are dropped first.
sed -e 's/#.*//' "$map" | tr '\n' ' ' |
    sed -e 's:/\*\([^*]\|\*\+[^*/]\)*\*\+/: :g' -e 's/[{};]/ & /g' |
    awk -v syms="$tmp/map.syms" -v nodes="$tmp/map.nodes" '
    {
        for (i = 1; i <= NF; i++) {
            t = $i
            if (t == "{") { depth++; section = ""; if (depth == 1) { node++; print prev > nodes }; continue }
            if (t == "}") { depth--; continue }
            if (t == ";") continue
            if (t == "global:" || t == "local:") { section = t; continue }
            if (depth == 1 && section == "global:") print node, t > syms
            prev = t
        }
    }'
touch "$tmp/map.syms" "$tmp/map.nodes"
awk '{ print $2 }' "$tmp/map.syms" | sort -u >"$tmp/map"
if ! unsorted=$(sort -c -k1,1n -k2,2 "$tmp/map.syms" 2>&1); then
    problem "keep the symbols of each node of $map sorted: $(echo "${unsorted##*disorder: }" | cut -d' ' -f2) is out of order"
fi
dups=$(awk '{ print $2 }' "$tmp/map.syms" | sort | uniq -d)
[ -z "$dups" ] || problem "symbols listed twice in $map: $(tr "\n" " " <<<"$dups")"

# Shared library: defined dynamic symbols, without version nodes (type A)
# and without the @VERSION / @@VERSION suffix.
"$NM" -D --defined-only "$so" |
    awk 'NF >= 3 && $2 != "A" { sub(/@.*/, "", $3); print $3 }' |
    sort -u >"$tmp/so"

if ! diff -u --label "$map" --label "$so (exported)" "$tmp/map" "$tmp/so" >"$tmp/diff1"; then
    problem "exported symbols of $so differ from $map ('-' only in the map, '+' only exported):"
    sed -n '3,$p' "$tmp/diff1" | grep '^[-+]' >&2 || true
fi

bad=$(grep -v '^ram_' "$tmp/map" || true)
[ -z "$bad" ] || problem "symbols in $map without the ram_ prefix: $(tr "\n" " " <<<"$bad")"
bad=$(grep -v '^ram_' "$tmp/so" || true)
[ -z "$bad" ] || problem "symbols exported by $so without the ram_ prefix: $(tr "\n" " " <<<"$bad")"

# Static library: no global definition without the ram_ prefix.
"$NM" -g --defined-only "$ar" |
    awk 'NF >= 3 && $3 !~ /^ram_/ { print "    " $3 " (" $2 ")" }' |
    sort -u >"$tmp/ar.bad"
if [ -s "$tmp/ar.bad" ]; then
    problem "$ar defines global symbols without the ram_ prefix (make them static, or prefix them ram_):"
    cat "$tmp/ar.bad" >&2
fi

# Public headers: RAM_API declarations.
shopt -s nullglob
headers=("$inc"/ram/*.h)
if [ ${#headers[@]} -gt 0 ]; then
    awk '
        /^[[:space:]]*RAM_API([[:space:]]|$)/ { acc = ""; on = 1 }
        on {
            acc = acc " " $0
            p = index(acc, "(")
            if (p > 0) {
                head = substr(acc, 1, p - 1)
                sub(/[[:space:]]+$/, "", head)
                if (match(head, /[A-Za-z_][A-Za-z0-9_]*$/))
                    print substr(head, RSTART, RLENGTH)
                on = 0
            } else if (index(acc, ";") > 0) {
                on = 0
            }
        }' "${headers[@]}" | sort -u >"$tmp/api"
else
    : >"$tmp/api"
fi
if ! diff -u --label "$map" --label "RAM_API in $inc/ram/*.h" "$tmp/map" "$tmp/api" >"$tmp/diff2"; then
    problem "RAM_API functions in $inc/ram/*.h differ from $map ('-' only in the map, '+' only in the headers):"
    sed -n '3,$p' "$tmp/diff2" | grep '^[-+]' >&2 || true
fi

# The newest version node follows the version in include/ram/version.h.
if [ -n "$version" ]; then
    want="RAM_$(echo "$version" | cut -d. -f1-2)"
    newest=$(sort -V "$tmp/map.nodes" | tail -n 1)
    [ "$newest" = "$want" ] ||
        problem "newest version node of $map is '${newest:-none}', expected $want (version $version)"
fi

if [ $fail -ne 0 ]; then
    exit 1
fi
echo "check-exports: $(wc -l <"$tmp/so") symbols exported, matching $map and the headers; $ar clean"

#!/usr/bin/env bash
# Every public header must stand alone: a file that includes only it (twice,
# to exercise the include guard) compiles as
#   $CC  -std=c99    -pedantic -Wall -Wextra -Werror -fsyntax-only
#   $CXX -std=c++11  -pedantic -Wall -Wextra -Werror -fsyntax-only
# and, when clang is installed ($CLANG, default clang), as
#   $CLANG -std=c99 -Wdocumentation -Werror -fsyntax-only
# (every @param names one parameter of the function it documents). Without
# clang that check says "skipped" (scripts/setup-debian.sh installs clang).
# A header that declares RAM_API functions must wrap them in extern "C".
#
# usage: scripts/check-headers.sh [INCLUDE_DIR]   (default: include)
set -euo pipefail

inc=${1:-include}
CC=${CC:-cc}
CXX=${CXX:-c++}
CLANG=${CLANG:-clang}
warn=(-pedantic -Wall -Wextra -Werror -fsyntax-only)
docwarn=(-Wdocumentation -Werror -fsyntax-only)

shopt -s nullglob
headers=("$inc"/ram/*.h)
if [ ${#headers[@]} -eq 0 ]; then
    echo "check-headers: no headers in $inc/ram" >&2
    exit 1
fi

have_clang=0
if command -v "$CLANG" >/dev/null 2>&1; then
    have_clang=1
fi

fail=0
for h in "${headers[@]}"; do
    name=ram/$(basename "$h")
    src=$(printf '#include <%s>\n#include <%s>\n' "$name" "$name")
    if ! printf '%s\n' "$src" | $CC -std=c99 "${warn[@]}" -I"$inc" -x c -; then
        echo "check-headers: FAIL $name alone as C99 ($CC)" >&2
        fail=1
    fi
    if ! printf '%s\n' "$src" | $CXX -std=c++11 "${warn[@]}" -I"$inc" -x c++ -; then
        echo "check-headers: FAIL $name alone as C++11 ($CXX)" >&2
        fail=1
    fi
    if [ $have_clang -eq 1 ] &&
        ! printf '%s\n' "$src" | "$CLANG" -std=c99 "${docwarn[@]}" -I"$inc" -x c -; then
        echo "check-headers: FAIL $name: $CLANG -Wdocumentation -Werror" >&2
        fail=1
    fi
    if grep -q '^[[:space:]]*RAM_API' "$h" && ! grep -q 'extern "C"' "$h"; then
        echo "check-headers: FAIL $name declares RAM_API functions without extern \"C\"" >&2
        fail=1
    fi
done

if [ $fail -ne 0 ]; then
    exit 1
fi
echo "check-headers: ${#headers[@]} headers OK (C99 and C++11, each alone)"
if [ $have_clang -eq 1 ]; then
    echo "check-headers: ${#headers[@]} headers OK ($CLANG -Wdocumentation -Werror)"
else
    echo "check-headers: clang -Wdocumentation check SKIPPED: '$CLANG' not found (scripts/setup-debian.sh installs clang)"
fi

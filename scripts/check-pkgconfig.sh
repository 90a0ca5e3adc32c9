#!/usr/bin/env bash
# ram.pc as a user sees it after `make install`: installs into a temporary
# DESTDIR, then, with pkg-config searching only there (PKG_CONFIG_LIBDIR set
# to that directory alone, so no openblas.pc or other system module is
# visible), checks that
#   pkg-config --cflags ram          is exactly -I$includedir (no CBLAS dir)
#   pkg-config --libs ram            is exactly -L$libdir -lram
#   pkg-config --static --libs ram   adds the CBLAS and -lm (Libs.private)
#   pkg-config --exists/--modversion ram  work, and give the version
# and that a program built with those flags links and runs, against the
# shared library and (with --static --libs) against libram.a.
#
# usage: scripts/check-pkgconfig.sh VERSION
# env:   MAKE, PKG_CONFIG, CC (defaults: make, pkg-config, cc); PREFIX and
#        LIBDIR/INCLUDEDIR/PKGCONFIGDIR as given to make, if any.
set -euo pipefail

version=${1:?usage: check-pkgconfig.sh VERSION}
MAKE=${MAKE:-make}
PKG_CONFIG=${PKG_CONFIG:-pkg-config}
CC=${CC:-cc}
PREFIX=${PREFIX:-/usr/local}
LIBDIR=${LIBDIR:-$PREFIX/lib}
INCLUDEDIR=${INCLUDEDIR:-$PREFIX/include}
PKGCONFIGDIR=${PKGCONFIGDIR:-$LIBDIR/pkgconfig}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ram-pc.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
dest=$tmp/dest
fail=0
bad() { echo "check-pkgconfig: FAIL $*" >&2; fail=1; }

"$MAKE" --no-print-directory -s install DESTDIR="$dest" >"$tmp/install.log" 2>&1 ||
    { cat "$tmp/install.log" >&2; bad "make install DESTDIR=$dest"; exit 1; }

pcdir=$dest$PKGCONFIGDIR
[ -f "$pcdir/ram.pc" ] || { bad "no ram.pc in $pcdir"; exit 1; }
# The installed prefix, relocated into DESTDIR. The .pc file says prefix=...
# and derives libdir/includedir from it when they are under it.
pc() {
    PKG_CONFIG_LIBDIR="$pcdir" PKG_CONFIG_PATH= \
        "$PKG_CONFIG" --define-variable=prefix="$dest$PREFIX" "$@"
}
norm() { tr -s ' ' | sed 's/^ //; s/ $//'; }

"$PKG_CONFIG" --validate "$pcdir/ram.pc" || bad "pkg-config --validate ram.pc"
pc --exists ram || bad "pkg-config --exists ram (without any other .pc file)"
got=$(pc --modversion ram || true)
[ "$got" = "$version" ] || bad "--modversion ram: '$got', expected '$version'"

inc=$(pc --variable=includedir ram)
lib=$(pc --variable=libdir ram)
got=$(pc --cflags ram | norm) || bad "pkg-config --cflags ram failed"
[ "$got" = "-I$inc" ] || bad "--cflags ram: '$got', expected '-I$inc' only"
got=$(pc --libs ram | norm) || bad "pkg-config --libs ram failed"
[ "$got" = "-L$lib -lram" ] || bad "--libs ram: '$got', expected '-L$lib -lram'"
static=$(pc --static --libs ram | norm) || bad "pkg-config --static --libs ram failed"
case " $static " in
    *" -lram "*" -lm "*) ;;
    *) bad "--static --libs ram: '$static' lacks -lram ... -lm" ;;
esac
[ "$static" != "-L$lib -lram -lm" ] ||
    bad "--static --libs ram: '$static' names no CBLAS (Libs.private)"

# A program built from those flags alone.
cat >"$tmp/prog.c" <<'PROG'
#include <ram/ram.h>
#include <stdio.h>
#include <string.h>
int main(void)
{
    ram_sensor *s = NULL;
    if (ram_sensor_create(&s, 8, 2, 1) != RAM_OK)
        return 1;
    ram_sensor_free(s);
    printf("%s\n", ram_version_string());
    return strcmp(ram_version_string(), RAM_VERSION_STRING) != 0;
}
PROG
# shellcheck disable=SC2046
if $CC -std=c99 -o "$tmp/prog-shared" "$tmp/prog.c" $(pc --cflags --libs ram) \
    -Wl,-rpath,"$lib" 2>"$tmp/cc.log"; then
    got=$("$tmp/prog-shared") || bad "the program linked with --libs ram failed"
    [ "$got" = "$version" ] || bad "shared program printed '$got'"
else
    cat "$tmp/cc.log" >&2; bad "cc prog.c \$(pkg-config --cflags --libs ram)"
fi
# Static, as the README says: --static --libs with -lram turned into
# -l:libram.a (libdir holds libram.so too, which -lram would pick).
# shellcheck disable=SC2046
if $CC -std=c99 -o "$tmp/prog-static" "$tmp/prog.c" $(pc --cflags ram) \
    $(pc --static --libs ram | sed 's/-lram\>/-l:libram.a/') \
    2>"$tmp/cc.log"; then
    got=$("$tmp/prog-static") || bad "the static program failed"
    [ "$got" = "$version" ] || bad "static program printed '$got'"
    if command -v ldd >/dev/null 2>&1 && ldd "$tmp/prog-static" | grep -q 'libram\.so'; then
        bad "the static program loads libram.so"
    fi
else
    cat "$tmp/cc.log" >&2; bad "cc prog.c libram.a \$(pkg-config --static --libs ram)"
fi

[ $fail -eq 0 ] || exit 1
echo "check-pkgconfig: ram.pc OK (--cflags '-I\${includedir}' only; --libs and --static --libs without any CBLAS .pc; shared and static programs link)"

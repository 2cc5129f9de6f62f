#!/bin/sh
# scripts/build-deb.sh -- make deb: build libapache2-mod-ajplb_<version>_
# <arch>.deb with Debian's tooling (dpkg-buildpackage, debhelper,
# dh_apache2) from a copy of the source tree, so the build never writes
# into the checkout and sees only the files that are in it.
#   scripts/build-deb.sh DESTDIR      (the .deb lands in DESTDIR)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
dest=${1:-$root/out/deb}
case "$dest" in /*) ;; *) dest=$root/$dest ;; esac

# The package version is the project's (AC_INIT in configure.ac); the
# newest debian/changelog entry must say the same.
upstream=$(sed -n 's/^AC_INIT(\[[^]]*\], *\[\([^]]*\)\].*/\1/p' "$root/configure.ac")
debver=$(cd "$root" && dpkg-parsechangelog -S Version)
if [ "${debver%%-*}" != "$upstream" ]; then
    echo "deb: debian/changelog is at $debver but configure.ac at $upstream;" >&2
    echo "deb: add an entry first: dch -v $upstream 'New version.'" >&2
    exit 1
fi

rm -rf "$dest"
mkdir -p "$dest/src"
# Tracked and new (not ignored) files, as they are in the work tree.
if git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    (cd "$root" && git ls-files -z --cached --others --exclude-standard \
        | xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh \
        | tar --null -T - -cf -) | tar -xf - -C "$dest/src"
else
    (cd "$root" && tar --exclude=./out --exclude=./.git -cf - .) \
        | tar -xf - -C "$dest/src"
fi

echo "== dpkg-buildpackage in $dest/src (log: $dest/build.log)"
if ! (cd "$dest/src" && dpkg-buildpackage -us -uc -b) >"$dest/build.log" 2>&1; then
    tail -n 40 "$dest/build.log" >&2
    echo "deb: the package build failed; the whole log is $dest/build.log" >&2
    exit 1
fi
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
deb=$dest/libapache2-mod-ajplb_${debver}_$arch.deb
if [ ! -s "$deb" ]; then
    echo "deb: $deb was not built (see $dest/build.log)" >&2
    exit 1
fi
echo "built $deb"

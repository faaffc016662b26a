#!/bin/bash
# dpkg-deb from the staged tree (`make stage`): control file filled in, no maintainer scripts (nothing
# runs at install or removal). dpkg removes /var/lib/ablestack-v2k on `dpkg -r` only when it is empty.
# /var/cache/ablestack-v2k (root's code cache of the helper, src/app/code-cache.ts) is the package's too:
# root's, 0700, removed with the package (dpkg keeps a directory that still holds files, with a warning).
set -euo pipefail
stage=$1 version=$2 out=$3
here=$(dirname "$(readlink -f "$0")")
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
cp -a "$stage/." "$root/"
install -d -m 0700 "$root/var/cache/ablestack-v2k"
install -d "$root/DEBIAN"
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@SIZE@/$size/" "$here/control.in" > "$root/DEBIAN/control"
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 md5sum) > "$root/DEBIAN/md5sums"
mkdir -p "$(dirname "$out")"
dpkg-deb --root-owner-group -Zxz --build "$root" "$out" >/dev/null
echo "$out"

#!/usr/bin/env bash
# Installs the Debian packages in pkg/debian-packages.txt that are missing, and a Linux kernel image
# for the lab's bootable VM (extracted from Debian's kernel package, not installed: no initramfs run).
# Idempotent and quiet when everything is present.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mapfile -t wanted < <(grep -vE '^\s*(#|$)' "$here/debian-packages.txt")

missing=()
for p in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

kernel_dir=${ABLESTACK_V2K_KERNEL_DIR:-/var/lib/ablestack-v2k/lab-kernel}
if [[ ! -s $kernel_dir/vmlinuz ]]; then
  echo "install-deps: fetching a kernel image for the lab's bootable VM"
  pkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-/{print $2; exit}')
  tmp=$(mktemp -d); chmod 755 "$tmp"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && apt-get download -qq "$pkg" >/dev/null)
  dpkg-deb --fsys-tarfile "$tmp"/*.deb | tar -x -C "$tmp" --wildcards './boot/vmlinuz-*'
  mkdir -p "$kernel_dir"
  cp "$tmp"/boot/vmlinuz-* "$kernel_dir/vmlinuz.tmp"
  mv "$kernel_dir/vmlinuz.tmp" "$kernel_dir/vmlinuz"
fi

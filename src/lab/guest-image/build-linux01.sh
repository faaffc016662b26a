#!/bin/bash
# Builds the lab's linux01 disk: a real Debian 12 system from Debian packages, made for VMware hardware
# only (its initramfs holds the LSI/pvscsi/AHCI drivers and none of virtio), with open-vm-tools, systemd,
# a getty on ttyS0 and GRUB. No loop devices or mounts: mmdebstrap writes a tarball, libguestfs lays out
# the disk and runs grub-install/update-grub inside its appliance.
# Usage: build-linux01.sh OUT.raw   (writes OUT.raw.tmp, then renames: a half-built image is never OUT.raw)
# Disk layout (4 GiB): sda1 ext4 root from 1 MiB to 3 GiB; the tail from 3 GiB is unpartitioned and
# never read by the guest, so lab writes land there without touching its boot.
set -euo pipefail
out=${1:?usage: build-linux01.sh OUT.raw}
suite=${LINUX01_SUITE:-bookworm}
mirror=${LINUX01_MIRROR:-$(awk '/^URIs:/{print $2; exit} /^deb /{print $2; exit}' \
  /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null || true)}
mirror=${mirror:-http://deb.debian.org/debian}
tmp=$(mktemp -d /var/tmp/linux01-build.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export LIBGUESTFS_BACKEND=${LIBGUESTFS_BACKEND:-direct}
# libguestfs' appliance gets KVM only when the host has hardware-assisted KVM (a software-mode
# /dev/kvm crashes it): the same rule as the helper's domain type "auto".
if [ ! -e /sys/module/kvm_intel ] && [ ! -e /sys/module/kvm_amd ]; then
  export LIBGUESTFS_BACKEND_SETTINGS=${LIBGUESTFS_BACKEND_SETTINGS:-force_tcg}
fi

pkgs=linux-image-amd64,initramfs-tools,systemd-sysv,grub-pc,open-vm-tools,e2fsprogs,ifupdown,isc-dhcp-client,udev
# The initramfs is made before the kernel's postinst runs: explicit module list, VMware controllers only.
rootfs=${LINUX01_ROOTFS_TAR:-$tmp/rootfs.tar}  # a kept tarball skips mmdebstrap (developing this script)
[ -s "$rootfs" ] || mmdebstrap --variant=minbase --include="$pkgs" \
  --essential-hook='mkdir -p "$1/etc/initramfs-tools/conf.d" "$1/etc/default"' \
  --essential-hook='echo MODULES=list > "$1/etc/initramfs-tools/conf.d/vmware-only.conf"' \
  --essential-hook='printf "%s\n" mptspi mptsas mptscsih vmw_pvscsi ahci sd_mod ext4 crc32c_generic \
    > "$1/etc/initramfs-tools/modules"' \
  --customize-hook='echo linux01 > "$1/etc/hostname"' \
  --customize-hook='echo "LABEL=root / ext4 errors=remount-ro 0 1" > "$1/etc/fstab"' \
  --customize-hook='chroot "$1" passwd -d root' \
  --customize-hook='chroot "$1" systemctl enable serial-getty@ttyS0.service' \
  --customize-hook='printf "%s\n" "GRUB_TIMEOUT=1" "GRUB_CMDLINE_LINUX=\"console=ttyS0,115200n8\"" \
    "GRUB_TERMINAL=serial" "GRUB_SERIAL_COMMAND=\"serial --unit=0 --speed=115200\"" >> "$1/etc/default/grub"' \
  --customize-hook='rm -f "$1"/var/cache/apt/archives/*.deb "$1"/var/lib/apt/lists/*_Packages' \
  "$suite" "$rootfs" "$mirror"

rm -f "$out.tmp"
guestfish -N "$out.tmp"=disk:4G <<GF
part-init /dev/sda mbr
part-add /dev/sda p 2048 6291455
part-set-bootable /dev/sda 1 true
mkfs ext4 /dev/sda1 label:root
mount /dev/sda1 /
tar-in $rootfs /
# inside the appliance the disk has another name than in the API (/dev/sdb): ask grub which it is
sh "grub-install --target=i386-pc \$(grub-probe --target=disk /boot/grub)"
sh "update-grub"
# the initramfs must not know virtio: that is what makes conversion necessary
sh "! lsinitramfs /boot/initrd.img-* | grep -E 'virtio_(blk|scsi|pci)'"
sh "lsinitramfs /boot/initrd.img-* | grep -q vmw_pvscsi"
umount-all
GF
mv "$out.tmp" "$out"

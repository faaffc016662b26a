#!/usr/bin/env bash
# Starts virtlogd and libvirtd on a host where systemd is not PID 1 (containers, CI, the demo), after
# preparing what Debian's libvirt-daemon-system would: state dirs, the libvirt-qemu user, qemu.conf.
# Idempotent: does nothing when libvirtd already answers on qemu:///system.
set -euo pipefail
uri=qemu:///system
if virsh -c "$uri" version >/dev/null 2>&1; then exit 0; fi
mkdir -p /var/log/libvirt /var/lib/libvirt/qemu/nvram /var/cache/libvirt
getent group libvirt-qemu >/dev/null || groupadd --system libvirt-qemu
getent passwd libvirt-qemu >/dev/null ||
  useradd --system --no-create-home --home-dir /var/lib/libvirt --shell /usr/sbin/nologin -g libvirt-qemu libvirt-qemu
if [[ ! -e /etc/libvirt/qemu.conf ]]; then
  mkdir -p /etc/libvirt
  printf '# Written by ablestack-v2k (libvirt-daemon-system is not installed).\nuser = "root"\ngroup = "root"\n' >/etc/libvirt/qemu.conf
fi
pgrep -x virtlogd >/dev/null || virtlogd -d
pgrep -x libvirtd >/dev/null || libvirtd -d
for _ in $(seq 150); do
  virsh -c "$uri" version >/dev/null 2>&1 && exit 0
  sleep 0.2
done
echo "libvirtd did not answer on $uri within 30 s" >&2
exit 1

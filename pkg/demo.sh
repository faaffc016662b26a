#!/usr/bin/env bash
# `make demo`: a migration rehearsal on the embedded vSphere lab, following the operators' runbook.
# Everything lives under one temporary directory (printed at the end); nothing on the host is changed
# except libvirt daemons started if they were not running and a domain named v2k-demo-boot01.
set -euo pipefail
cd "$(dirname "$0")/.."
v2k=$PWD/dist/ablestack_v2k
demo=${V2K_DEMO_DIR:-$(mktemp -d /tmp/ablestack-v2k-demo.XXXXXX)}
lab=$demo/lab
work=$demo/work
mkdir -p "$lab" "$demo/images"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
cleanup() { "$v2k" lab stop --dir "$lab" >/dev/null 2>&1 || true; }
trap cleanup EXIT

say "Starting the embedded vSphere lab in $lab"
"$v2k" lab start --dir "$lab" --background
"$v2k" lab inventory --dir "$lab"

# The runbook reads vCenter access from govc-style variables (see pkg/examples/govc.env.example).
eval "$(node -e '
  const l = require(process.argv[1]);
  const q = (s) => "\x27" + String(s).replace(/\x27/g, "\x27\\\x27\x27") + "\x27";
  console.log(`export GOVC_URL=${q(l.url)} GOVC_USERNAME=${q(l.username)} GOVC_PASSWORD=${q(l.password)} GOVC_THUMBPRINT=${q(l.thumbprint)}`);
' "$lab/lab.json")"

vm=boot01
say "1. Preflight (Go/No-Go) for $vm"
"$v2k" preflight --vm "$vm" --dst "$demo/images"
say "   ... and for legacy01, which must be refused"
"$v2k" preflight --vm legacy01 --dst "$demo/images" || echo "(refused as expected)"

say "2. init"
"$v2k" --workdir "$work" init --vm "$vm" --dst "$demo/images"
say "3. cbt enable / status"
"$v2k" --workdir "$work" cbt enable
"$v2k" --workdir "$work" cbt status
say "4. base snapshot and base sync"
"$v2k" --workdir "$work" snapshot base
"$v2k" --workdir "$work" sync base
for round in 1 2; do
  say "5. the guest keeps writing; incremental round $round"
  "$v2k" lab write --dir "$lab" --vm "$vm" --disk 0 --offset $((100 + round))M --length 3M --seed $round
  "$v2k" --workdir "$work" snapshot incr
  "$v2k" --workdir "$work" sync incr
done
"$v2k" --workdir "$work" status

say "Preparing libvirt (daemons, and a private bridge v2kdemo0 for the migrated NIC)"
bash pkg/libvirtd-up.sh
bridge=v2kdemo0
ip link show "$bridge" >/dev/null 2>&1 || { ip link add name "$bridge" type bridge && ip link set "$bridge" up; }
domain=v2k-demo-boot01
# --domain-type auto: kvm with hardware-assisted KVM, else qemu (software emulation). V2K_DEMO_DOMAIN_TYPE overrides.
cut=(--shutdown poweroff --domain-name "$domain" --network-map-default "$bridge" --domain-type "${V2K_DEMO_DOMAIN_TYPE:-auto}")

# boot01 is a busybox guest without VMware Tools, so the source is powered off instead of shut down.
say "6. cutover: power-off of the source, final sync, libvirt define"
"$v2k" --workdir "$work" cutover "${cut[@]}"
say "7. verify: quick (64 random blocks), full, and an isolated boot to the guest's console marker"
"$v2k" --workdir "$work" verify --mode quick --samples 64
"$v2k" --workdir "$work" verify --mode full
"$v2k" --workdir "$work" verify --mode boot --boot-marker "V2K-BOOT-OK boot01" --boot-timeout 240 --no-agent
say "   start the migrated VM under libvirt"
"$v2k" --workdir "$work" cutover "${cut[@]}" --start
virsh -c qemu:///system dominfo "$domain" | grep -E 'Name|State'
console=$(node -e 'console.log(require(process.argv[1]).cutover.xmlPath.replace(/\.xml$/, ".console.log"))' "$work/manifest.json")
for _ in $(seq 240); do grep -q "V2K-BOOT-OK" "$console" 2>/dev/null && break; sleep 1; done
echo "guest console: $(grep -a -m1 "V2K-BOOT-OK" "$console" || echo "(no boot marker yet, see $console)")"
"$v2k" --workdir "$work" status
say "8. rollback (the demo gives the VM back to VMware)"
"$v2k" --workdir "$work" rollback --remove-disks
"$v2k" lab inventory --dir "$lab" | grep boot01
say "9. cleanup"
"$v2k" --workdir "$work" cleanup --keep-workdir
ip link del "$bridge" 2>/dev/null || true
say "Done. Workdir with manifest.json and events.log: $work"

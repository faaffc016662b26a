// Every command's options, declared once: the helper's parser, validation and help and the page's argv
// derive from these (./option). Defaults applied by the engine rather than the schema come from the
// constants here too (TUNING_DEFAULTS, CEPH_DEFAULTS), so the help prints the value the code uses.
import { type OptionDecls, sizeText } from "./option";
import { CUTOVER_AT_PATTERN } from "./cutover-at";
import { HOST_CONFIG_FILE, HOST_LIMIT_DEFAULTS } from "../host-limits";
import { FIRMWARE_CHOICES } from "../firmware";

export const TUNING_DEFAULTS = { requests: 8, chunkSize: 4 * 1024 * 1024, coalesceGap: 1024 * 1024 } as const;
/**
 * Into Ceph RBD: smaller requests, more of them, 16 MiB in flight. librbd spreads them over the image's
 * objects (and OSDs); a few 4 MiB writes keep one object busy at a time (4 GiB 385 -> 630 MB/s), and
 * 32 MiB in flight (1M x 32, 2M x 16, 512K x 64) was slower than 16 (README, Performance).
 */
export const RBD_TUNING_DEFAULTS = { requests: 32, chunkSize: 512 * 1024 } as const;
export const CEPH_DEFAULTS = { conf: "/etc/ceph/ceph.conf", id: "admin" } as const;
const CEPH_ID = /^[A-Za-z0-9._-]+$/;
const LIBVIRT_URI_NOTE = "default qemu:///system or $ABLESTACK_V2K_LIBVIRT_URI";

/** Every vCenter-facing command. Passwords never travel in argv: a file or stdin. */
export const vcenterDecls = {
  vcenter: { kind: "string", valueName: "URL", help: "vCenter/ESXi URL", defaultNote: "default: GOVC_URL" },
  username: { kind: "string", valueName: "USER", help: "user name", defaultNote: "default: GOVC_USERNAME" },
  "password-file": { kind: "string", valueName: "FILE", help: "read the password from FILE (first line)" },
  "password-stdin": { kind: "boolean", help: "read the password from stdin (first line)" },
  thumbprint: {
    kind: "string",
    valueName: "SHA1",
    help: "pinned SHA-1 certificate thumbprint",
    defaultNote: "default: GOVC_THUMBPRINT, else the host's line in the GOVC_TLS_KNOWN_HOSTS file",
  },
  insecure: { kind: "boolean", help: "do not verify the certificate (recorded in the manifest; default: GOVC_INSECURE)" },
} as const satisfies OptionDecls;

export const connectDecl = {
  connect: { kind: "string", valueName: "URI", help: "libvirt URI", defaultNote: LIBVIRT_URI_NOTE },
} as const satisfies OptionDecls;

const networkMap = {
  kind: "strings",
  valueName: "PG=TARGET,...",
  help: "map VMware port groups to KVM networks: PG=BRIDGE, PG=bridge:BRIDGE or PG=network:NAME (comma separated, repeatable)",
} as const;

/** The KVM domain's firmware: cutover and run take it, preflight warns when it differs from the VMware VM's. */
const firmware = {
  kind: "enum",
  values: FIRMWARE_CHOICES,
  default: "auto",
  help:
    "firmware of the KVM domain: auto (the VMware VM's), bios, efi (UEFI, secure boot off) or efi-secure (UEFI, secure boot " +
    "with the Microsoft keys); another than the VMware VM's boots only if the disk carries a boot loader for it",
} as const;

const transport = { kind: "enum", values: ["vddk", "http"], default: "http", help: "source transport" } as const;
const targetDevice = {
  kind: "strings",
  default: [],
  valueName: "DISK=DEV",
  help: "block mode: the device for disk DISK (index or device key), repeat per disk",
} as const;

/** Where the disks go: init takes it, and preflight checks the same choice. */
export const targetStorageDecls = {
  "target-storage": {
    kind: "enum",
    values: ["file", "block", "rbd"],
    help: "image files under --dst (default), one block device per disk, or Ceph RBD images",
  },
  "target-mode": { kind: "enum", values: ["file", "block", "rbd"], help: "the same as --target-storage" },
  "rbd-pool": { kind: "string", pattern: CEPH_ID, valueName: "POOL", help: "rbd: the pool for images named <vm>-disk<N>" },
  "ceph-conf": { kind: "string", default: CEPH_DEFAULTS.conf, valueName: "FILE", help: "rbd: ceph.conf (monitors, keyring)" },
  "ceph-id": {
    kind: "string",
    pattern: CEPH_ID,
    default: CEPH_DEFAULTS.id,
    valueName: "NAME",
    help: "rbd: Ceph client id without 'client.'",
  },
  "target-map-json": { kind: "string", valueName: "JSON", help: `rbd: images per disk, '{"scsi0:0":"rbd:pool/img"}'` },
} as const satisfies OptionDecls;

export const preflightDecls = {
  vm: { kind: "string", required: true, valueName: "NAME", help: "the VM's name in vCenter" },
  dst: { kind: "string", valueName: "DIR", help: "target directory for the disk images (file storage: required)" },
  transport: { ...transport, help: "source transport to check for" },
  ...targetStorageDecls,
  "target-device": targetDevice,
  "network-map": { ...networkMap, help: "check that each mapped network or bridge exists and is active" },
  "network-map-default": {
    kind: "string",
    valueName: "TARGET",
    help: "where NICs of unmapped port groups go (BRIDGE or network:NAME), as cutover will take it",
    defaultNote: "default: the host's default (see cutover)",
  },
  firmware: { ...firmware, help: "the firmware cutover will give the KVM domain: a warning when it differs from the VMware VM's" },
  ...vcenterDecls,
} as const satisfies OptionDecls;

export const initDecls = {
  vm: { kind: "string", required: true, valueName: "NAME", help: "the VM's name in vCenter" },
  dst: {
    kind: "string",
    valueName: "DIR",
    help: "target directory for the disk images (rbd: for the domain's XML and NVRAM; default the workdir)",
  },
  "target-format": {
    kind: "enum",
    values: ["qcow2", "raw"],
    help: "target image format",
    defaultNote: "default qcow2 for files, raw otherwise",
  },
  ...targetStorageDecls,
  force: {
    kind: "boolean",
    default: false,
    help: "rbd: overwrite images of these names left by an earlier ablestack-v2k run (never others); file: write over existing target files",
  },
  "target-device": targetDevice,
  "network-map": { ...networkMap, help: `${networkMap.help}; recorded in the manifest, cutover uses it (checked before shutdown)` },
  transport,
  ...vcenterDecls,
} as const satisfies OptionDecls;

/** Copy tuning of sync and run: applied by the copy engine when not given. */
export const tuningDecls = {
  jobs: {
    kind: "int",
    min: 1,
    max: 256,
    valueName: "N",
    help: "requests in flight per disk",
    defaultNote: `default ${TUNING_DEFAULTS.requests}, ${RBD_TUNING_DEFAULTS.requests} into Ceph RBD`,
  },
  chunk: {
    kind: "size",
    positive: true,
    valueName: "SIZE",
    help: "bytes per request",
    defaultNote: `default ${sizeText(TUNING_DEFAULTS.chunkSize)}, ${sizeText(RBD_TUNING_DEFAULTS.chunkSize)} into Ceph RBD`,
  },
  "coalesce-gap": {
    kind: "size",
    positive: true,
    valueName: "SIZE",
    help: "merge changed areas closer than this (smallest gaps first, reading at most 20% beyond the areas)",
    defaultNote: "default 1M",
  },
} as const satisfies OptionDecls;

/** One migration's view of the host-wide copy limits (sync and run); unset: the host config's values. */
export const copyLimitDecls = {
  "max-parallel-disks": {
    kind: "int",
    min: 1,
    max: 256,
    valueName: "N",
    help: "disk copies at once on this host, all migrations together",
    defaultNote: `default: max-parallel-disks= in ${HOST_CONFIG_FILE}, else ${HOST_LIMIT_DEFAULTS.maxParallelDisks}`,
  },
  bwlimit: {
    kind: "number",
    exclusiveMin: 0,
    valueName: "MB/s",
    help: "this migration's read bandwidth, all its disks together",
    defaultNote: "default unlimited; bwlimit= in the host config caps all migrations together",
  },
} as const satisfies OptionDecls;

export const syncDecls = { ...tuningDecls, ...copyLimitDecls, ...vcenterDecls } as const satisfies OptionDecls;
export const snapshotDecls = { ...vcenterDecls } as const satisfies OptionDecls;
export const cbtDecls = { ...vcenterDecls } as const satisfies OptionDecls;
export const ROUND_KINDS = ["base", "incr", "final"] as const;

/** The KVM domain's settings, shared by cutover and run. */
export const domainDecls = {
  "network-map": {
    ...networkMap,
    help: `${networkMap.help}; overrides the manifest's map (from init) and is saved there until the domain starts`,
  },
  "network-map-default": {
    kind: "string",
    valueName: "TARGET",
    help: "where NICs of unmapped port groups go (BRIDGE or network:NAME)",
    defaultNote:
      "default: $ABLESTACK_V2K_NETWORK_MAP_DEFAULT, network-map-default= in /etc/ablestack-v2k/ablestack-v2k.conf, libvirt's active network 'default', else the host's only bridge",
  },
  "disk-bus": {
    kind: "enum",
    values: ["auto", "virtio", "scsi", "sata"],
    default: "auto",
    help: "disk bus (auto: virtio for Linux, sata for Windows without virtio drivers)",
  },
  "nic-model": {
    kind: "enum",
    values: ["auto", "virtio", "e1000e"],
    default: "auto",
    help: "NIC model (auto: virtio for Linux, e1000e for Windows)",
  },
  "domain-name": {
    kind: "string",
    pattern: /^[^/\s'"<>&]+$/,
    message: "no spaces, quotes, slashes or <>&",
    valueName: "NAME",
    help: "libvirt domain name",
    defaultNote: "default: the VMware VM name",
  },
  uuid: { kind: "enum", values: ["keep", "new"], default: "keep", help: "domain UUID: keep the VMware BIOS uuid or generate a new one" },
  "domain-type": {
    kind: "enum",
    values: ["auto", "kvm", "qemu"],
    default: "auto",
    help: "libvirt domain type (auto: kvm with hardware-assisted KVM, else qemu emulation; $ABLESTACK_V2K_DOMAIN_TYPE decides auto)",
  },
  graphics: { kind: "enum", values: ["vnc", "none"], default: "vnc", help: "graphics console (vnc listens on 127.0.0.1 with autoport)" },
  vcpus: {
    kind: "int",
    min: 1,
    max: 768,
    valueName: "N",
    help: "virtual CPUs of the KVM domain (cores per socket as on VMware when they divide N, else one core per socket)",
    defaultNote: "default: the VMware VM's",
  },
  memory: {
    kind: "size",
    positive: true,
    valueName: "SIZE",
    help: "memory of the KVM domain, in whole MiB (e.g. 8G, 12288M)",
    defaultNote: "default: the VMware VM's",
  },
  firmware,
  ...connectDecl,
} as const satisfies OptionDecls;

const cutoverOwnDecls = {
  shutdown: {
    kind: "enum",
    values: ["guest", "poweroff", "already-off"],
    default: "guest",
    help: "how the VMware VM goes down: guest shutdown through VMware Tools, hard power-off, or already off (refused if it is not)",
  },
  "shutdown-timeout": {
    kind: "number",
    exclusiveMin: 0,
    default: 300,
    valueName: "S",
    help: "seconds to wait for the guest shutdown (then SHUTDOWN_TIMEOUT)",
  },
  "define-only": {
    kind: "boolean",
    default: false,
    help: "define the domain in libvirt only (no cloud registration); alone it does not start it (the default)",
  },
  start: { kind: "boolean", default: false, help: "start the domain after defining it (also with --define-only: define and start)" },
  "no-verify": {
    kind: "boolean",
    default: false,
    help: "skip the quick data verify between define and start (it runs by default and is recorded)",
  },
  "verify-samples": { kind: "int", min: 1, max: 1_000_000, default: 64, valueName: "N", help: "blocks per disk of that quick verify" },
  convert: {
    kind: "enum",
    values: ["auto", "virt-v2v", "none"],
    default: "auto",
    help: "guest conversion before define: auto (virt-v2v-in-place when installed), virt-v2v, or none (disks as copied)",
  },
} as const satisfies OptionDecls;

export const cutoverDecls = { ...cutoverOwnDecls, ...domainDecls, ...vcenterDecls } as const satisfies OptionDecls;

/** The boot check's options: verify's --mode boot, and run's --verify boot before the start. */
const bootCheckDecls = {
  "boot-marker": {
    kind: "string",
    default: "re:login:",
    valueName: "TEXT",
    help: "boot: text on the serial console that proves the boot (re:REGEX for a regular expression)",
  },
  "boot-timeout": { kind: "int", min: 1, default: 300, valueName: "S", help: "boot: seconds to wait for the marker or the guest agent" },
  "no-agent": { kind: "boolean", default: false, help: "boot: do not accept a guest agent answer, only the console marker" },
} as const satisfies OptionDecls;

export const runDecls = {
  vm: {
    kind: "string",
    valueName: "NAME[,NAME...]",
    help: "the VM's name in vCenter (new runs); several names: one background run per VM (fleet)",
  },
  fleet: { kind: "string", valueName: "FILE", help: "one background run per VM named in FILE (one name per line)" },
  dst: { kind: "string", valueName: "DIR", help: "target directory for the disk images (new runs)" },
  "target-format": { kind: "enum", values: ["qcow2", "raw"], default: "qcow2", help: "target image format" },
  transport,
  until: {
    kind: "enum",
    values: ["synced", "cutover"],
    help: "stop when ready for cutover (synced, the default), or cut over and start the KVM VM",
  },
  split: {
    kind: "enum",
    values: ["phase1", "phase2"],
    help: "phase1 = --until synced; phase2 = continue the phase1 workdir through cutover",
  },
  interval: { kind: "number", min: 0, default: 60, valueName: "S", help: "seconds between incremental rounds" },
  "max-rounds": { kind: "int", min: 1, default: 10, valueName: "N", help: "incremental rounds at most before going on" },
  "cutover-when": {
    kind: "criterion",
    default: "bytes<512M,seconds<300",
    valueName: "bytes<X,seconds<Y",
    help: "ready when the last incremental round changed less than X and took less than Y",
  },
  "cutover-at": {
    kind: "string",
    pattern: CUTOVER_AT_PATTERN,
    message: "HH:MM or an ISO date-time",
    valueName: "TIME",
    help:
      "with --until cutover: incremental rounds every --interval until TIME (HH:MM: the next such time here; or an ISO " +
      "date-time), then the cutover; the criterion and --max-rounds no longer end the rounds",
  },
  ...tuningDecls,
  ...copyLimitDecls,
  verify: {
    kind: "enum",
    values: ["none", "quick", "full", "boot"],
    default: "quick",
    help: "check after define and before start when cutting over: data (quick, full) or an isolated boot (boot, --boot-*)",
  },
  ...bootCheckDecls,
  detach: {
    kind: "boolean",
    default: false,
    help: "continue in the background (systemd unit ablestack-v2k-<run-id>, or a detached process logging to <workdir>/run.log)",
  },
  ...cutoverOwnDecls,
  "define-only": { kind: "boolean", default: false, help: "with --until cutover: define the domain but leave it stopped" },
  start: { kind: "boolean", default: false, help: "with --until cutover: start the domain (the default for run)" },
  ...domainDecls,
  ...vcenterDecls,
} as const satisfies OptionDecls;

export const verifyDecls = {
  mode: {
    kind: "enum",
    values: ["quick", "full", "boot"],
    default: "quick",
    help: "quick: seeded random blocks; full: every allocated block; boot: isolated start to a marker",
  },
  samples: { kind: "int", min: 1, max: 1_000_000, default: 64, valueName: "N", help: "quick: blocks per disk" },
  seed: {
    kind: "string",
    pattern: /^[A-Za-z0-9_-]{1,64}$/,
    valueName: "SEED",
    help: "quick: reuse a reported seed to check the same blocks again",
  },
  "block-size": { kind: "size", default: 1 << 20, valueName: "SIZE", help: "bytes per compared block (a multiple of 4K up to 64M)" },
  ...bootCheckDecls,
  ...connectDecl,
  ...vcenterDecls,
} as const satisfies OptionDecls;

export const rollbackDecls = {
  ...vcenterDecls,
  "remove-disks": { kind: "boolean", default: false, help: "also delete the target disk files (default: keep them)" },
  "keep-source-off": { kind: "boolean", default: false, help: "do not power the VMware VM on" },
  ...connectDecl,
} as const satisfies OptionDecls;

export const cleanupDecls = {
  ...vcenterDecls,
  "delete-snapshots": { kind: "boolean", help: "remove the migration snapshots this tool created (default)" },
  "keep-snapshots": { kind: "boolean", default: false, help: "leave the migration snapshots in place" },
  "delete-target": { kind: "boolean", default: false, help: "delete the target disk files (refused while the KVM domain exists)" },
  "keep-workdir": { kind: "boolean", help: "keep the workdir (default)" },
  "remove-workdir": { kind: "boolean", default: false, help: "delete the workdir (manifest and events.log) at the end" },
  ...connectDecl,
} as const satisfies OptionDecls;

export const storagePoolsDecls = {
  "ceph-conf": { kind: "string", default: CEPH_DEFAULTS.conf, valueName: "FILE", help: "ceph.conf" },
  "ceph-id": { kind: "string", pattern: CEPH_ID, default: CEPH_DEFAULTS.id, valueName: "NAME", help: "Ceph client id without 'client.'" },
} as const satisfies OptionDecls;

export const storageNetworksDecls = { ...connectDecl } as const satisfies OptionDecls;

/** `step-options [STEP]`: the options the page's steps use, recorded in the manifest (shown without --set/--clear). */
export const stepOptionsDecls = {
  set: {
    kind: "strings",
    valueName: "NAME=VALUE",
    help: "an option of the step's command as its command line writes it (NAME alone for a flag); replaces the step's record",
  },
  clear: { kind: "boolean", default: false, help: "forget the step's recorded options (its commands take the defaults)" },
} as const satisfies OptionDecls;

/** The commands the page and the runbook drive: words -> declarations. */
export const REQUESTS = {
  preflight: { words: ["preflight"], decls: preflightDecls },
  init: { words: ["init"], decls: initDecls },
  "cbt enable": { words: ["cbt", "enable"], decls: cbtDecls },
  "cbt status": { words: ["cbt", "status"], decls: cbtDecls },
  snapshot: { words: ["snapshot"], decls: snapshotDecls },
  sync: { words: ["sync"], decls: syncDecls },
  run: { words: ["run"], decls: runDecls },
  cutover: { words: ["cutover"], decls: cutoverDecls },
  verify: { words: ["verify"], decls: verifyDecls },
  rollback: { words: ["rollback"], decls: rollbackDecls },
  cleanup: { words: ["cleanup"], decls: cleanupDecls },
  "storage pools": { words: ["storage", "pools"], decls: storagePoolsDecls },
  "storage networks": { words: ["storage", "networks"], decls: storageNetworksDecls },
  "step-options": { words: ["step-options"], decls: stepOptionsDecls },
} as const;
export type RequestName = keyof typeof REQUESTS;

// Libvirt domain XML from the manifest's inventory and the operator's policy. Pure string building:
// every value is escaped, every choice comes from DomainPolicy, nothing reads the host.
import { type Manifest } from "../../shared/manifest";
import { V2kError } from "../../shared/v2k-error";
import { type Firmware, sourceFirmware } from "../../shared/firmware";
import {
  type DomainPolicy,
  type NetworkTarget,
  type RbdDomainAccess,
  firmwareFeatures,
  resolveDiskBus,
  resolveNicModel,
} from "./domain-policy";

export const V2K_XML_NAMESPACE = "https://ablestack.io/v2k/domain/1";

export function xmlEscape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}

const a = xmlEscape;

/** vda, vdb, ... vdz, vdaa ... (the same scheme libvirt and the kernel use). */
export function diskDevName(prefix: "vd" | "sd", index: number): string {
  let n = index;
  let s = "";
  do {
    s = String.fromCharCode(97 + (n % 26)) + s;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return prefix + s;
}

export interface DiskPlan {
  key: number;
  dev: string;
  bus: "virtio" | "scsi" | "sata";
  format: "qcow2" | "raw";
  source: { type: "file"; path: string } | { type: "block"; path: string } | { type: "rbd"; name: string };
  bootOrder: number | undefined;
}

/** virtio drivers in the guest: what conversion recorded, else Linux has them and Windows not. */
export function guestHasVirtio(m: Manifest): boolean {
  return m.cutover?.conversion?.virtio ?? !m.vm.isWindows;
}

function diskSource(path: string, mode: "file" | "block" | "rbd"): DiskPlan["source"] {
  if (mode === "rbd") return { type: "rbd", name: path.replace(/^rbd:/, "").split(":")[0]! };
  return { type: mode, path };
}

/** Disks in VMware device order; the first one boots (VMware's default BIOS order is the first disk). */
export function planDisks(m: Manifest, policy: DomainPolicy): DiskPlan[] {
  const bus = resolveDiskBus(policy.diskBus, guestHasVirtio(m));
  const prefix = bus === "virtio" ? "vd" : "sd";
  return [...m.disks]
    .sort((x, y) => x.index - y.index)
    .map((d, i) => {
      const override = policy.diskSources?.get(d.key);
      return {
        key: d.key,
        dev: diskDevName(prefix, i),
        bus,
        format: override?.format ?? d.target.format,
        source: override ? { type: "file" as const, path: override.path } : diskSource(d.target.path, d.target.mode),
        bootOrder: i === 0 ? 1 : undefined,
      };
    });
}

export interface NicPlan {
  mac: string;
  network: string;
  target: NetworkTarget;
  model: "virtio" | "e1000e";
}

export function planNics(m: Manifest, policy: DomainPolicy): NicPlan[] {
  if (policy.noNetwork) return [];
  const model = resolveNicModel(policy.nicModel, guestHasVirtio(m));
  const unmapped = m.nics.filter((n) => !policy.networkMap.has(n.network)).map((n) => n.network);
  if (unmapped.length > 0 && !policy.networkDefault) {
    throw new V2kError(
      "USAGE",
      `no KVM network for port group(s): ${[...new Set(unmapped)].join(", ")}`,
      "Map each port group with --network-map PG=BRIDGE[,PG2=network:NAME] or give --network-map-default.",
    );
  }
  return m.nics.map((n) => ({
    mac: n.mac.toLowerCase(),
    network: n.network,
    target: policy.networkMap.get(n.network) ?? policy.networkDefault!,
    model,
  }));
}

/** An RBD source: monitors from the conf, and with cephx the client and its libvirt secret (never the key). */
function rbdSourceXml(name: string, rbd: RbdDomainAccess | undefined): string[] {
  if (!rbd || rbd.hosts.length === 0) {
    throw new V2kError("INTERNAL", `RBD disk ${name} without monitors`, "The domain policy must carry the Ceph monitors for RBD disks.");
  }
  return [
    `      <source protocol='rbd' name='${a(name)}'>`,
    ...rbd.hosts.map((h) => `        <host name='${a(h.host)}' port='${h.port}'/>`),
    "      </source>",
    ...(rbd.auth
      ? [
          `      <auth username='${a(rbd.auth.username)}'>`,
          `        <secret type='ceph' uuid='${a(rbd.auth.secretUuid)}'/>`,
          "      </auth>",
        ]
      : []),
  ];
}

function diskXml(d: DiskPlan, rbd: RbdDomainAccess | undefined): string[] {
  const src =
    d.source.type === "file"
      ? [`      <source file='${a(d.source.path)}'/>`]
      : d.source.type === "block"
        ? [`      <source dev='${a(d.source.path)}'/>`]
        : rbdSourceXml(d.source.name, rbd);
  const type = d.source.type === "rbd" ? "network" : d.source.type;
  return [
    `    <disk type='${type}' device='disk'>`,
    // discard=unmap keeps sparse targets sparse when the guest trims
    `      <driver name='qemu' type='${d.format}' discard='unmap'/>`,
    ...src,
    `      <target dev='${d.dev}' bus='${d.bus}'/>`,
    ...(d.bootOrder !== undefined ? [`      <boot order='${d.bootOrder}'/>`] : []),
    `    </disk>`,
  ];
}

function nicXml(n: NicPlan): string[] {
  const open = n.target.kind === "bridge" ? "<interface type='bridge'>" : "<interface type='network'>";
  const src = n.target.kind === "bridge" ? `<source bridge='${a(n.target.name)}'/>` : `<source network='${a(n.target.name)}'/>`;
  return [`    ${open}`, `      <mac address='${a(n.mac)}'/>`, `      ${src}`, `      <model type='${n.model}'/>`, `    </interface>`];
}

/** The firmware the domain boots with: the policy's choice, else the VMware VM's. */
export function firmwareOf(m: Manifest, policy: Pick<DomainPolicy, "firmware">): Firmware {
  return policy.firmware ?? sourceFirmware(m.vm);
}

function osXml(m: Manifest, policy: DomainPolicy): string[] {
  const type = `    <type arch='x86_64' machine='q35'>hvm</type>`;
  const firmware = firmwareOf(m, policy);
  if (firmware === "bios") return ["  <os>", type, "  </os>"];
  // libvirt picks the firmware from the host's QEMU firmware descriptors (libvirt >= 7.2): no
  // distribution-specific OVMF file names here. Without an <nvram> path libvirt keeps the variable
  // store itself (undefine --nvram removes it).
  return [
    "  <os firmware='efi'>",
    type,
    "    <firmware>",
    ...firmwareFeatures(firmware === "efi-secure").map((f) => `      <feature enabled='${f.enabled ? "yes" : "no"}' name='${f.name}'/>`),
    "    </firmware>",
    ...(policy.nvramPath ? [`    <nvram>${a(policy.nvramPath)}</nvram>`] : []),
    "  </os>",
  ];
}

function featuresXml(m: Manifest, policy: DomainPolicy): string[] {
  // acpi: without it a guest's poweroff only halts. smm: secure-boot firmware requires it.
  const lines = ["  <features>", "    <acpi/>", "    <apic/>"];
  if (m.vm.isWindows) {
    lines.push(
      "    <hyperv mode='custom'>",
      "      <relaxed state='on'/>",
      "      <vapic state='on'/>",
      "      <spinlocks state='on' retries='8191'/>",
      "    </hyperv>",
    );
  }
  if (firmwareOf(m, policy) === "efi-secure") lines.push("    <smm state='on'/>");
  lines.push("  </features>");
  return lines;
}

function cpuXml(m: Manifest, policy: DomainPolicy): string[] {
  const vcpus = policy.vcpus ?? m.vm.numCPU;
  const cores = m.vm.coresPerSocket > 0 && vcpus % m.vm.coresPerSocket === 0 ? m.vm.coresPerSocket : 1;
  const topology = `<topology sockets='${vcpus / cores}' dies='1' cores='${cores}' threads='1'/>`;
  // host-passthrough only exists with hardware virtualisation; TCG takes qemu's default model.
  const open = policy.domainType === "kvm" ? "<cpu mode='host-passthrough' check='none' migratable='on'>" : "<cpu>";
  return [`  ${open}`, `    ${topology}`, "  </cpu>"];
}

/** The complete domain XML. Throws USAGE for NICs without a target. */
export function buildDomainXml(m: Manifest, policy: DomainPolicy): string {
  const disks = planDisks(m, policy);
  const nics = planNics(m, policy);
  const lines: string[] = [`<domain type='${policy.domainType}'>`, `  <name>${a(policy.name)}</name>`, `  <uuid>${a(policy.uuid)}</uuid>`];
  if (policy.description) lines.push(`  <description>${a(policy.description)}</description>`);
  lines.push(
    "  <metadata>",
    `    <v2k:migration xmlns:v2k='${V2K_XML_NAMESPACE}'>`,
    `      <v2k:runId>${a(policy.runId ?? m.runId)}</v2k:runId>`,
    `      <v2k:source vm='${a(m.vm.name)}' moref='${a(m.vm.moref)}'/>`,
    "    </v2k:migration>",
    "  </metadata>",
    `  <memory unit='MiB'>${policy.memoryMiB ?? m.vm.memoryMiB}</memory>`,
    `  <currentMemory unit='MiB'>${policy.memoryMiB ?? m.vm.memoryMiB}</currentMemory>`,
    `  <vcpu placement='static'>${policy.vcpus ?? m.vm.numCPU}</vcpu>`,
    ...osXml(m, policy),
    ...featuresXml(m, policy),
    ...cpuXml(m, policy),
    // Windows keeps its clock in local time; Linux in UTC.
    `  <clock offset='${m.vm.isWindows ? "localtime" : "utc"}'/>`,
    "  <on_poweroff>destroy</on_poweroff>",
    "  <on_reboot>restart</on_reboot>",
    "  <on_crash>destroy</on_crash>",
    "  <devices>",
  );
  if (disks.some((d) => d.bus === "scsi")) lines.push("    <controller type='scsi' index='0' model='virtio-scsi'/>");
  for (const d of disks) lines.push(...diskXml(d, policy.rbd));
  for (const n of nics) lines.push(...nicXml(n));
  const log = policy.consoleLogPath ? `<log file='${a(policy.consoleLogPath)}' append='off'/>` : "";
  lines.push(
    `    <serial type='pty'>${log}<target type='isa-serial' port='0'/></serial>`,
    "    <console type='pty'><target type='serial' port='0'/></console>",
    "    <channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>",
  );
  if (policy.graphics === "vnc") {
    lines.push(
      "    <input type='tablet' bus='usb'/>",
      "    <graphics type='vnc' port='-1' autoport='yes' listen='127.0.0.1'><listen type='address' address='127.0.0.1'/></graphics>",
      "    <video><model type='vga'/></video>",
    );
  }
  lines.push("    <controller type='usb' model='qemu-xhci'/>", "    <memballoon model='virtio'/>", "  </devices>", "</domain>", "");
  return lines.join("\n");
}

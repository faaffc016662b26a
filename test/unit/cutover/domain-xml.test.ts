// The domain XML builder per policy, without libvirt: the XML is parsed back and checked.
import { test } from "node:test";
import assert from "node:assert/strict";
import { XMLParser } from "fast-xml-parser";
import { buildDomainXml, diskDevName } from "../../../src/helper/libvirt/domain-xml";
import {
  type DomainPolicy,
  canonicalUuid,
  defaultDomainName,
  parseNetworkMap,
  parseNetworkTarget,
} from "../../../src/helper/libvirt/domain-policy";
import { V2kError } from "../../../src/shared/v2k-error";
import { fixtureManifest } from "./manifest-fixture";
import { DomainOptionsSchema, resolveDomainPolicy } from "../../../src/helper/cutover/domain-config";
import { type Virsh } from "../../../src/helper/libvirt/virsh";

/** An explicit domain type and no host default asked for: libvirt is never called. */
const noVirsh = new Proxy({}, { get: (_t, p) => () => assert.fail(`virsh.${String(p)} must not be called`) }) as unknown as Virsh;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@",
  isArray: (name) => ["disk", "interface", "controller"].includes(name),
});
type Node = Record<string, any>;

function parse(xml: string): Node {
  return (parser.parse(xml) as Node).domain as Node;
}

function policy(p: Partial<DomainPolicy> = {}): DomainPolicy {
  return {
    domainType: "qemu",
    name: "web01",
    uuid: "421e2f2c-5b6a-4c3d-9e8f-0123456789ab",
    diskBus: "auto",
    nicModel: "auto",
    networkMap: parseNetworkMap(["VM Network=br0"]),
    graphics: "vnc",
    ...p,
  };
}

test("linux BIOS guest: virtio disks in order, first disk boots, formats match the targets", () => {
  const m = fixtureManifest({
    disks: [
      { capacityBytes: 1 << 30, format: "raw" },
      { capacityBytes: 2 * 2 ** 30, format: "qcow2" },
    ],
  });
  const d = parse(buildDomainXml(m, policy()));
  assert.equal(d["@type"], "qemu");
  assert.equal(d.name, "web01");
  assert.equal(d.uuid, "421e2f2c-5b6a-4c3d-9e8f-0123456789ab");
  assert.equal(d.os.type["@machine"], "q35");
  assert.equal(d.os.loader, undefined, "BIOS guests get no UEFI loader");
  assert.ok("acpi" in d.features, "acpi is required for guest poweroff");
  const disks = d.devices.disk as Node[];
  assert.deepEqual(
    disks.map((x) => x.target["@dev"]),
    ["vda", "vdb"],
  );
  assert.deepEqual(
    disks.map((x) => x.target["@bus"]),
    ["virtio", "virtio"],
  );
  assert.deepEqual(
    disks.map((x) => x.driver["@type"]),
    ["raw", "qcow2"],
    "raw stays raw",
  );
  assert.deepEqual(
    disks.map((x) => x.source["@file"]),
    m.disks.map((x) => x.target.path),
  );
  assert.equal(disks[0]!.boot["@order"], "1");
  assert.equal(disks[1]!.boot, undefined);
  assert.equal(d.clock["@offset"], "utc");
  assert.equal(d.cpu["@mode"], undefined, "TCG domains take qemu's default cpu model");
});

test("domain type kvm uses host-passthrough; topology follows cores per socket", () => {
  const m = fixtureManifest({ numCPU: 4, coresPerSocket: 2 });
  const d = parse(buildDomainXml(m, policy({ domainType: "kvm" })));
  assert.equal(d["@type"], "kvm");
  assert.equal(d.cpu["@mode"], "host-passthrough");
  assert.equal(d.vcpu["#text"], 4);
  assert.deepEqual([d.cpu.topology["@sockets"], d.cpu.topology["@cores"]], ["2", "2"]);
});

test("--vcpus and --memory size the domain; the topology keeps the VMware cores per socket when they divide", () => {
  const m = fixtureManifest({ numCPU: 4, coresPerSocket: 2 });
  const d = parse(buildDomainXml(m, policy({ vcpus: 6, memoryMiB: 3072 })));
  assert.equal(d.vcpu["#text"], 6);
  assert.equal(d.memory["#text"], 3072);
  assert.equal(d.currentMemory["#text"], 3072);
  assert.deepEqual([d.cpu.topology["@sockets"], d.cpu.topology["@cores"]], ["3", "2"]);
  const odd = parse(buildDomainXml(m, policy({ vcpus: 3 })));
  assert.deepEqual([odd.cpu.topology["@sockets"], odd.cpu.topology["@cores"]], ["3", "1"], "2 cores do not divide 3");
  assert.equal(odd.memory["#text"], 256, "memory stays the VMware VM's");
});

test("cutover options: --memory takes sizes, refuses parts of a MiB before anything runs", async () => {
  const sizing = async (args: Record<string, unknown>) =>
    resolveDomainPolicy(fixtureManifest({}), DomainOptionsSchema.parse({ "domain-type": "qemu", ...args }), noVirsh);
  assert.equal((await sizing({ memory: "8G", vcpus: "2" })).memoryMiB, 8192);
  assert.equal((await sizing({})).memoryMiB, undefined);
  await assert.rejects(sizing({ memory: "1000K" }), (e: unknown) => e instanceof V2kError && e.code === "USAGE" && /8G/.test(e.hint));
  assert.throws(() => DomainOptionsSchema.parse({ vcpus: "0" }));
});

test("windows guest without virtio drivers: auto picks sata and e1000e, local clock, hyperv", () => {
  const m = fixtureManifest({ name: "win01", isWindows: true, disks: [{ capacityBytes: 1 << 30 }, { capacityBytes: 1 << 30 }] });
  const d = parse(buildDomainXml(m, policy({ name: "win01" })));
  const disks = d.devices.disk as Node[];
  assert.deepEqual(
    disks.map((x) => `${x.target["@dev"]}/${x.target["@bus"]}`),
    ["sda/sata", "sdb/sata"],
  );
  assert.equal((d.devices.interface as Node[])[0]!.model["@type"], "e1000e");
  assert.equal(d.clock["@offset"], "localtime");
  assert.ok(d.features.hyperv);
});

test("explicit bus and nic policies override auto; scsi adds a virtio-scsi controller", () => {
  const m = fixtureManifest({ isWindows: true });
  const d = parse(buildDomainXml(m, policy({ diskBus: "scsi", nicModel: "virtio" })));
  assert.equal((d.devices.disk as Node[])[0]!.target["@bus"], "scsi");
  assert.ok((d.devices.controller as Node[]).some((c) => c["@type"] === "scsi" && c["@model"] === "virtio-scsi"));
  assert.equal((d.devices.interface as Node[])[0]!.model["@type"], "virtio");
  const l = parse(buildDomainXml(fixtureManifest(), policy({ diskBus: "sata", nicModel: "e1000e" })));
  assert.equal((l.devices.disk as Node[])[0]!.target["@bus"], "sata");
  assert.ok(!(l.devices.controller as Node[]).some((c) => c["@type"] === "scsi"));
});

test("UEFI with secure boot: libvirt picks an enrolled-keys secure-boot firmware, smm on, libvirt's own nvram", () => {
  const m = fixtureManifest({ name: "win01", isWindows: true, firmware: "efi", secureBoot: true });
  const xml = buildDomainXml(m, policy({ name: "win01" }));
  const d = parse(xml);
  assert.equal(d.os["@firmware"], "efi");
  assert.equal(d.os.loader, undefined, "no firmware file names: libvirt selects them");
  assert.equal(d.os.nvram, undefined, "libvirt keeps the variable store (undefine --nvram removes it)");
  const features = ([] as Node[]).concat(d.os.firmware.feature).map((f) => `${f["@name"]}=${f["@enabled"]}`);
  assert.deepEqual(features, ["secure-boot=yes", "enrolled-keys=yes"]);
  assert.equal(d.features.smm["@state"], "on");
  assert.doesNotMatch(xml, /OVMF|edk2|\/usr\//, "no distribution paths in the XML");
  const plain = parse(buildDomainXml(fixtureManifest({ firmware: "efi", secureBoot: false }), policy()));
  assert.equal(plain.os["@firmware"], "efi");
  assert.deepEqual(
    ([] as Node[]).concat(plain.os.firmware.feature).map((f) => `${f["@name"]}=${f["@enabled"]}`),
    ["secure-boot=no"],
    "a source without secure boot gets a firmware without it",
  );
  assert.equal(plain.features.smm, undefined);
  const bios = parse(buildDomainXml(fixtureManifest({ firmware: "bios" }), policy()));
  assert.equal(bios.os["@firmware"], undefined);
  assert.equal(bios.os.firmware, undefined);
});

test("a boot check's own nvram path is kept (throw-away variable store beside its overlays)", () => {
  const m = fixtureManifest({ firmware: "efi", secureBoot: true });
  const d = parse(buildDomainXml(m, policy({ nvramPath: "/tmp/check/VARS.fd" })));
  assert.equal(d.os.nvram, "/tmp/check/VARS.fd");
  assert.equal(d.os.nvram["@template"], undefined, "libvirt fills the template from the firmware it picked");
});

test("every NIC keeps its MAC and lands on its mapped bridge or network", () => {
  const m = fixtureManifest({
    nics: [
      { network: "VM Network", mac: "00:50:56:AA:BB:01" },
      { network: "dv-backend", mac: "00:50:56:AA:BB:02" },
      { network: "VM Network", mac: "00:50:56:AA:BB:03" },
    ],
  });
  const d = parse(buildDomainXml(m, policy({ networkMap: parseNetworkMap(["VM Network=br0,dv-backend=network:default"]) })));
  const nics = d.devices.interface as Node[];
  assert.deepEqual(
    nics.map((n) => n.mac["@address"]),
    ["00:50:56:aa:bb:01", "00:50:56:aa:bb:02", "00:50:56:aa:bb:03"],
  );
  assert.deepEqual(
    nics.map((n) => n["@type"]),
    ["bridge", "network", "bridge"],
  );
  assert.deepEqual(
    nics.map((n) => n.source["@bridge"] ?? n.source["@network"]),
    ["br0", "default", "br0"],
  );
});

test("an unmapped port group fails with USAGE unless a default target is given", () => {
  const m = fixtureManifest({
    nics: [
      { network: "VM Network", mac: "00:50:56:aa:bb:01" },
      { network: "storage", mac: "00:50:56:aa:bb:02" },
    ],
  });
  assert.throws(
    () => buildDomainXml(m, policy()),
    (e: unknown) => e instanceof V2kError && e.code === "USAGE" && /storage/.test(e.message),
  );
  const d = parse(buildDomainXml(m, policy({ networkDefault: parseNetworkTarget("network:isolated") })));
  assert.equal((d.devices.interface as Node[])[1]!.source["@network"], "isolated");
});

test("isolated boot check: no NICs and overlay disk sources", () => {
  const m = fixtureManifest({ disks: [{ capacityBytes: 1 << 20, format: "raw" }] });
  const d = parse(
    buildDomainXml(m, policy({ noNetwork: true, diskSources: new Map([[2000, { path: "/w/overlay0.qcow2", format: "qcow2" as const }]]) })),
  );
  assert.equal(d.devices.interface, undefined);
  const disk = (d.devices.disk as Node[])[0]!;
  assert.equal(disk.source["@file"], "/w/overlay0.qcow2");
  assert.equal(disk.driver["@type"], "qcow2");
});

test("graphics: vnc on loopback with autoport, or none at all (never type='none')", () => {
  const vnc = parse(buildDomainXml(fixtureManifest(), policy()));
  assert.equal(vnc.devices.graphics["@type"], "vnc");
  assert.equal(vnc.devices.graphics["@listen"], "127.0.0.1");
  assert.equal(vnc.devices.graphics["@autoport"], "yes");
  const none = buildDomainXml(fixtureManifest(), policy({ graphics: "none" }));
  assert.ok(!none.includes("<graphics"));
});

test("console log, guest agent channel, block and rbd targets", () => {
  const m = fixtureManifest({
    disks: [
      { capacityBytes: 1 << 20, format: "raw", mode: "block", path: "/dev/vg0/web01" },
      { capacityBytes: 1 << 20, format: "raw", mode: "rbd", path: "rbd:rbd/web01-disk1" },
    ],
  });
  const rbdAccess = {
    hosts: [
      { host: "10.0.0.1", port: 3300 },
      { host: "10.0.0.2", port: 3300 },
    ],
    auth: { username: "v2k", secretUuid: "0b7e5b1c-0000-4000-8000-000000000001" },
  };
  const xml = buildDomainXml(m, policy({ consoleLogPath: "/w/console.log", rbd: rbdAccess }));
  const d = parse(xml);
  assert.equal(d.devices.serial.log["@file"], "/w/console.log");
  assert.equal(d.devices.channel.target["@name"], "org.qemu.guest_agent.0");
  const [blk, rbd] = d.devices.disk as Node[];
  assert.equal(blk!["@type"], "block");
  assert.equal(blk!.source["@dev"], "/dev/vg0/web01");
  assert.equal(rbd!["@type"], "network");
  assert.equal(rbd!.source["@protocol"], "rbd");
  assert.equal(rbd!.source["@name"], "rbd/web01-disk1");
  assert.equal(rbd!.driver["@type"], "raw");
  assert.deepEqual(
    (rbd!.source.host as Node[]).map((h) => `${h["@name"]}:${h["@port"]}`),
    ["10.0.0.1:3300", "10.0.0.2:3300"],
  );
  assert.equal(rbd!.auth["@username"], "v2k");
  assert.equal(rbd!.auth.secret["@type"], "ceph");
  assert.equal(rbd!.auth.secret["@uuid"], rbdAccess.auth.secretUuid);
  // auth none: no <auth>; without monitors an RBD disk cannot be described at all
  const none = parse(buildDomainXml(m, policy({ rbd: { hosts: rbdAccess.hosts } })));
  assert.equal((none.devices.disk as Node[])[1]!.auth, undefined);
  assert.throws(() => buildDomainXml(m, policy()), /without monitors/);
});

test("names and descriptions are escaped", () => {
  const xml = buildDomainXml(fixtureManifest({ name: "a<b>&'c\"" }), policy({ name: "web01", description: "from <a&b>" }));
  const d = parse(xml);
  assert.equal(d.description, "from <a&b>");
  assert.ok(xml.includes("vm='a&lt;b&gt;&amp;&apos;c&quot;'"));
});

test("helpers: device names, network map parsing, uuid and name normalisation", () => {
  assert.deepEqual(
    [0, 1, 25, 26, 27].map((i) => diskDevName("vd", i)),
    ["vda", "vdb", "vdz", "vdaa", "vdab"],
  );
  const map = parseNetworkMap(["pg=br0,pg2=network:default", "pg3=bridge:br1"]);
  assert.deepEqual(Object.fromEntries(map), {
    pg: { kind: "bridge", name: "br0" },
    pg2: { kind: "network", name: "default" },
    pg3: { kind: "bridge", name: "br1" },
  });
  assert.throws(
    () => parseNetworkMap(["noequals"]),
    (e: unknown) => e instanceof V2kError && e.code === "USAGE",
  );
  assert.throws(
    () => parseNetworkMap(["pg=bad name"]),
    (e: unknown) => e instanceof V2kError && e.code === "USAGE",
  );
  assert.equal(canonicalUuid("42 1E 2F 2C 5B 6A 4C 3D-9E 8F 01 23 45 67 89 AB"), "421e2f2c-5b6a-4c3d-9e8f-0123456789ab");
  assert.equal(canonicalUuid("not-a-uuid"), null);
  assert.equal(defaultDomainName("web 01/prod"), "web_01_prod");
});

// Conversion decisions and the virt-v2v-in-place command line, without running virt-v2v.
import { test } from "node:test";
import assert from "node:assert/strict";
import { planConversion, parseV2vFacts, v2vCommand } from "../../src/helper/convert/plan";
import { locateVirtioWin } from "../../src/helper/convert/locate";
import { overlayBacking, overlayRanges } from "../../src/helper/convert/overlays";
import { conversionInputXml } from "../../src/helper/convert/input-xml";
import { buildDomainXml } from "../../src/helper/libvirt/domain-xml";
import { parseNetworkMap } from "../../src/helper/libvirt/domain-policy";
import { fixtureManifest } from "../unit/cutover/manifest-fixture";

const tools = { virtV2vInPlace: "/usr/libexec/virt-v2v-in-place", virtioWin: null };

test("Linux: auto converts with virt-v2v and expects virtio drivers", () => {
  const p = planConversion("auto", false, tools);
  assert.equal(p.tool, "virt-v2v");
  assert.equal(p.virtio, true);
  assert.equal(p.warning, undefined);
});

test("Windows without virtio-win: converted, SATA/e1000e expected, warning says what to install", () => {
  const p = planConversion("auto", true, tools);
  assert.equal(p.tool, "virt-v2v");
  assert.equal(p.virtio, false);
  assert.equal(p.warning?.code, "VIRTIO_WIN_MISSING");
  assert.match(p.warning!.message, /install the virtio-win package/);
});

test("Windows with virtio-win: virtio expected; the command line carries VIRTIO_WIN and TCG when the host has no KVM", () => {
  const p = planConversion("auto", true, { ...tools, virtioWin: "/usr/share/virtio-win" });
  assert.equal(p.virtio, true);
  const cmd = v2vCommand({
    binary: tools.virtV2vInPlace,
    inputXml: "/w/convert/input.xml",
    accel: "qemu",
    virtioWin: "/usr/share/virtio-win",
    tmpDir: "/w/convert",
  });
  assert.equal(cmd.file, "/usr/libexec/virt-v2v-in-place");
  assert.deepEqual(cmd.args, ["-v", "-x", "--root", "first", "-i", "libvirtxml", "/w/convert/input.xml"]);
  assert.deepEqual(cmd.env, {
    LIBGUESTFS_BACKEND: "direct",
    LIBGUESTFS_CACHEDIR: "/var/tmp",
    TMPDIR: "/w/convert",
    LC_ALL: "C",
    LIBGUESTFS_BACKEND_SETTINGS: "force_tcg",
    VIRTIO_WIN: "/usr/share/virtio-win",
  });
  const kvm = v2vCommand({ binary: "v", inputXml: "x", accel: "kvm", virtioWin: null, tmpDir: "/t" });
  assert.equal(kvm.env.LIBGUESTFS_BACKEND_SETTINGS, undefined);
  assert.equal(kvm.env.VIRTIO_WIN, undefined);
});

test("none and a missing tool leave the disks as copied", () => {
  assert.equal(planConversion("none", false, tools).tool, "none");
  const missing = planConversion("auto", false, { virtV2vInPlace: null, virtioWin: null });
  assert.equal(missing.tool, "none");
  assert.equal(missing.warning?.code, "CONVERT_TOOL_MISSING");
});

test("virtio-win: $VIRTIO_WIN (directory or ISO) before the package's directory", () => {
  assert.equal(
    locateVirtioWin({ VIRTIO_WIN: "/iso/virtio-win.iso" }, () => true),
    "/iso/virtio-win.iso",
  );
  assert.equal(
    locateVirtioWin({}, (p) => p === "/usr/share/virtio-win"),
    "/usr/share/virtio-win",
  );
  assert.equal(
    locateVirtioWin({ VIRTIO_WIN: "/nope" }, (p) => p === "/usr/share/virtio-win"),
    null,
  );
});

test("facts from virt-v2v's output", () => {
  const f = parseV2vFacts(
    "[  12.0] Converting Debian GNU/Linux 12 (bookworm) to run on KVM\nvirt-v2v-in-place: This guest has virtio drivers installed.\n",
  );
  assert.deepEqual(f, { os: "Debian GNU/Linux 12 (bookworm)", virtioDrivers: true });
  assert.equal(parseV2vFacts("This guest does not have virtio drivers installed.").virtioDrivers, false);
  assert.deepEqual(parseV2vFacts("nothing"), {});
});

test("overlay ranges: only the overlay's own clusters (depth 0, data or zero), adjacent ones merged", () => {
  const r = overlayRanges([
    { start: 0, length: 65536, depth: 0, data: true, zero: false, present: true },
    { start: 65536, length: 65536, depth: 0, data: false, zero: true, present: true },
    { start: 131072, length: 1 << 20, depth: 1, data: true, zero: false, present: true },
    { start: 1179648, length: 4096, depth: 0, data: false, zero: false, present: false },
    { start: 2 << 20, length: 65536, depth: 0, data: true, zero: false },
  ]);
  assert.deepEqual(r, [
    [0, 131072],
    [2 << 20, 65536],
  ]);
});

test("an overlay over an RBD target reaches the run's cluster (its conf and client id), a file target by its path", () => {
  const m = fixtureManifest();
  const d = { ...m.disks[0]!, target: { path: "rbd:v2k/vm-disk0", format: "raw" as const, mode: "rbd" as const } };
  const ceph = { target: { ...m.target, ceph: { conf: "/etc/v2k/ceph.conf", id: "v2k", pool: "v2k" } } };
  assert.deepEqual(overlayBacking(d, ceph), { file: "rbd:v2k/vm-disk0:conf=/etc/v2k/ceph.conf:id=v2k", format: "raw" });
  assert.deepEqual(overlayBacking(m.disks[0]!, m), { file: m.disks[0]!.target.path, format: m.disks[0]!.target.format });
});

test("the input XML points each disk at its overlay as qcow2, in VMware order", () => {
  const m = fixtureManifest({ disks: [{ capacityBytes: 1 << 30 }, { capacityBytes: 1 << 29 }] });
  const xml = conversionInputXml(
    m,
    m.disks.map((d) => ({ diskKey: d.key, path: `/w/convert/disk-${d.key}.qcow2` })),
  );
  assert.match(xml, new RegExp(`<source file='/w/convert/disk-${m.disks[0]!.key}.qcow2'/>\\s*<target dev='sda'`));
  assert.equal((xml.match(/type='qcow2'/g) ?? []).length, 2);
});

test("auto disk bus and NIC model follow the conversion's facts", () => {
  const win = fixtureManifest({ isWindows: true, nics: [{ network: "VM Network", mac: "00:50:56:00:00:01" }] });
  const policy = {
    domainType: "qemu" as const,
    name: "w",
    uuid: "421e2f2c-5b6a-4c3d-9e8f-0123456789ab",
    diskBus: "auto" as const,
    nicModel: "auto" as const,
    networkMap: parseNetworkMap(["VM Network=br0"]),
    graphics: "none" as const,
  };
  assert.match(buildDomainXml(win, policy), /bus='sata'/);
  win.cutover = {
    shutdownMode: "guest",
    requestedAt: "t",
    conversion: { policy: "auto", tool: "virt-v2v", reason: "r", virtio: true, state: "committed", startedAt: "t" },
  };
  const xml = buildDomainXml(win, policy);
  assert.match(xml, /bus='virtio'/);
  assert.match(xml, /<model type='virtio'\/>/);
});

test("preflight says which path a VM takes: Windows without virtio-win warns with what to install", async () => {
  const { conversionCheck } = await import("../../src/helper/convert/preflight");
  const win = conversionCheck(true, { virtV2vInPlace: "/usr/bin/virt-v2v-in-place", virtioWin: null });
  assert.equal(win.status, "warn");
  assert.match(win.reason, /SATA disks and an e1000e NIC.*install the virtio-win package/);
  const linux = conversionCheck(false, { virtV2vInPlace: "/usr/bin/virt-v2v-in-place", virtioWin: null });
  assert.equal(linux.status, "pass");
  assert.match(linux.reason, /initramfs with virtio drivers; the KVM domain gets virtio disks and NIC/);
});

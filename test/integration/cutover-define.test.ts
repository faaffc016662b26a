// Domain XML of multi-disk, UEFI + secure boot and multi-NIC guests validates (virt-xml-validate)
// and defines in a real libvirtd (qemu:///system), with raw and qcow2 targets; re-definition is
// idempotent, foreign domains are refused, and UEFI guests (with and without secure boot) start on the
// firmware libvirt selects.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { buildDomainXml } from "../../src/helper/libvirt/domain-xml";
import { defineDomain, domainRunId } from "../../src/helper/libvirt/define";
import { type DomainPolicy, parseNetworkMap } from "../../src/helper/libvirt/domain-policy";
import { validateDomainXml } from "../../src/helper/libvirt/validate";
import { resolveDomainType } from "../../src/helper/libvirt/virsh";
import { exec } from "../../src/kit/exec";
import { V2kError } from "../../src/shared/v2k-error";
import { type LibvirtdHandle, removeDomains, startLibvirtd } from "../support/libvirtd";
import { fixtureManifest } from "../unit/cutover/manifest-fixture";

let lv: LibvirtdHandle;
let dir: string;
const tag = randomUUID().slice(0, 8);
const domains: string[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "v2k-define-"));
  // with libvirt-daemon-system's qemu.conf guests run as libvirt-qemu, which must reach the disks
  chmodSync(dir, 0o711);
  lv = await startLibvirtd();
});

after(async () => {
  if (lv) {
    await removeDomains(lv.virsh, domains);
    await lv.release();
  }
  rmSync(dir, { recursive: true, force: true });
});

async function makeDisk(path: string, format: "raw" | "qcow2", size = "16M"): Promise<void> {
  await exec("qemu-img", ["create", "-q", "-f", format, path, size], { timeoutMs: 30_000 });
}

function policy(name: string, p: Partial<DomainPolicy> = {}): DomainPolicy {
  return { domainType: "qemu", name, uuid: randomUUID(), diskBus: "auto", nicModel: "auto", networkMap: new Map(), graphics: "vnc", ...p };
}

async function defineAndCheck(xml: string, p: DomainPolicy, runId: string): Promise<string> {
  domains.push(p.name);
  await defineDomain(lv.virsh, xml, { name: p.name, uuid: p.uuid, runId });
  const live = await lv.virsh.dumpXml(p.name, true);
  assert.ok(live, "the domain is defined");
  assert.equal(domainRunId(live), runId, "our metadata survives the round trip through libvirt");
  assert.match(live, new RegExp(`<uuid>${p.uuid}</uuid>`));
  return live;
}

test("multi-disk linux guest (raw and qcow2 targets) validates and defines; re-define is idempotent", async () => {
  const raw = join(dir, "web01-disk0.raw");
  const qcow = join(dir, "web01-disk1.qcow2");
  await makeDisk(raw, "raw");
  await makeDisk(qcow, "qcow2");
  const m = fixtureManifest({
    name: "web01",
    disks: [
      { capacityBytes: 16 << 20, format: "raw", path: raw },
      { capacityBytes: 16 << 20, format: "qcow2", path: qcow },
    ],
  });
  const p = policy(`v2k-t-web01-${tag}`, {
    networkMap: parseNetworkMap(["VM Network=network:default"]),
    domainType: await resolveDomainType("auto", lv.virsh),
  });
  const xml = buildDomainXml(m, p);
  const live = await defineAndCheck(xml, p, m.runId);
  assert.match(live, /<driver name='qemu' type='raw'[^>]*\/>\s*<source file='[^']*web01-disk0.raw'/);
  assert.match(live, /<driver name='qemu' type='qcow2'[^>]*\/>\s*<source file='[^']*web01-disk1.qcow2'/);
  // a resumed cutover defines again: same uuid, same run => accepted
  await defineDomain(lv.virsh, xml, { name: p.name, uuid: p.uuid, runId: m.runId });
  assert.equal(await lv.virsh.domState(p.name), "shut off");
});

// libvirt selects the firmware from the host's QEMU firmware descriptors (Debian's ovmf, Rocky's edk2-ovmf):
// the started domain shows which loader it picked and the variable store libvirt made for it.
async function startUefi(name: string, secureBoot: boolean, nvramPath?: string): Promise<{ live: string; nvram: string }> {
  const disk = join(dir, `${name}-disk0.qcow2`);
  await makeDisk(disk, "qcow2");
  const m = fixtureManifest({
    name,
    isWindows: true,
    firmware: "efi",
    secureBoot,
    disks: [{ capacityBytes: 16 << 20, format: "qcow2", path: disk }],
  });
  const p = policy(`v2k-t-${name}-${tag}`, { noNetwork: true, ...(nvramPath ? { nvramPath } : {}) });
  const defined = await defineAndCheck(buildDomainXml(m, p), p, m.runId);
  assert.match(defined, /<os firmware='efi'>/);
  assert.match(defined, /bus='sata'/);
  await lv.virsh.start(p.name);
  try {
    assert.equal(await lv.virsh.domState(p.name), "running");
    const live = (await lv.virsh.dumpXml(p.name))!;
    const nvram = /<nvram[^>]*>([^<]+)<\/nvram>/.exec(live)?.[1];
    assert.ok(nvram, `libvirt made a variable store: ${live}`);
    return { live, nvram };
  } finally {
    await lv.virsh.destroy(p.name);
    await lv.virsh.undefine(p.name);
    assert.equal(await lv.virsh.exists(p.name), false, "undefine --nvram removed the domain");
  }
}

test("UEFI + secure boot windows guest: libvirt picks a secure-boot firmware with enrolled keys; undefine --nvram removes its variable store", async () => {
  const { live, nvram } = await startUefi("win01", true);
  assert.match(live, /<loader readonly='yes' secure='yes' type='pflash'>[^<]+<\/loader>/);
  assert.match(live, /<smm state='on'\/>/);
  assert.match(live, /<feature enabled='yes' name='enrolled-keys'\/>/);
  await assert.rejects(exec("test", ["-e", nvram], { timeoutMs: 5000 }), `the variable store ${nvram} is removed with the domain`);
});

test("UEFI guest without secure boot: libvirt picks a firmware without secure boot; a given nvram path is used", async () => {
  const { live, nvram } = await startUefi("uefi01", false, join(dir, "uefi01-VARS.fd"));
  assert.equal(nvram, join(dir, "uefi01-VARS.fd"), "the boot check's throw-away variable store");
  assert.match(
    live,
    /<loader readonly='yes' type='pflash'>[^<]+<\/loader>|<loader readonly='yes' secure='no' type='pflash'>[^<]+<\/loader>/,
  );
  assert.doesNotMatch(live, /secure='yes'/);
  await assert.rejects(exec("test", ["-e", nvram], { timeoutMs: 5000 }), `the variable store ${nvram} is removed with the domain`);
});

test("--firmware: libvirt defines the domain of each choice for a BIOS VMware VM (bios, efi, efi-secure)", async () => {
  const asked = { bios: /<os>/, efi: /<feature enabled='no' name='secure-boot'\/>/, "efi-secure": /<smm state='on'\/>/ };
  for (const firmware of ["bios", "efi", "efi-secure"] as const) {
    const disk = join(dir, `fw-${firmware}-disk0.qcow2`);
    await makeDisk(disk, "qcow2");
    const m = fixtureManifest({ name: `fw-${firmware}`, disks: [{ capacityBytes: 16 << 20, format: "qcow2", path: disk }] });
    const p = policy(`v2k-t-fw-${firmware}-${tag}`, { noNetwork: true, firmware });
    const live = await defineAndCheck(buildDomainXml(m, p), p, m.runId);
    assert.match(live, asked[firmware], `${firmware}: ${live}`);
    if (firmware === "bios") assert.doesNotMatch(live, /firmware='efi'|<loader/);
    else assert.match(live, /<os firmware='efi'>/);
    if (firmware === "efi-secure") assert.match(live, /<feature enabled='yes' name='secure-boot'\/>/);
    else assert.doesNotMatch(live, /<smm state='on'\/>/);
  }
});

test("multi-NIC guest keeps every MAC on its mapped network", async () => {
  const m = fixtureManifest({
    name: "app01",
    nics: [
      { network: "VM Network", mac: "00:50:56:01:02:03" },
      { network: "backend", mac: "00:50:56:01:02:04" },
      { network: "storage", mac: "00:50:56:01:02:05" },
    ],
  });
  const p = policy(`v2k-t-app01-${tag}`, {
    networkMap: parseNetworkMap(["VM Network=network:default,backend=br-v2k-test"]),
    networkDefault: { kind: "network", name: "default" },
  });
  const live = await defineAndCheck(buildDomainXml(m, p), p, m.runId);
  for (const mac of ["00:50:56:01:02:03", "00:50:56:01:02:04", "00:50:56:01:02:05"])
    assert.ok(live.includes(`<mac address='${mac}'/>`), mac);
  assert.match(live, /<source bridge='br-v2k-test'\/>/);
});

test("invalid XML is refused before define (DOMAIN_XML_INVALID) and foreign domains are not replaced", async () => {
  const m = fixtureManifest({ name: "bad01" });
  const p = policy(`v2k-t-bad01-${tag}`, { networkDefault: { kind: "network", name: "default" } });
  const broken = buildDomainXml(m, p).replace("<on_crash>destroy</on_crash>", "<on_crash>explode</on_crash>");
  await assert.rejects(validateDomainXml(broken), (e: unknown) => e instanceof V2kError && e.code === "DOMAIN_XML_INVALID");
  await assert.rejects(
    defineDomain(lv.virsh, broken, { name: p.name, uuid: p.uuid, runId: m.runId }),
    (e: unknown) => e instanceof V2kError && e.code === "DOMAIN_XML_INVALID",
  );
  assert.equal(await lv.virsh.exists(p.name), false, "nothing was defined");
  // a domain of the same name defined by someone else (no v2k metadata)
  domains.push(p.name);
  await lv.virsh.define(
    `<domain type='qemu'><name>${p.name}</name><memory unit='MiB'>64</memory><os><type arch='x86_64'>hvm</type></os></domain>`,
  );
  await assert.rejects(
    defineDomain(lv.virsh, buildDomainXml(m, p), { name: p.name, uuid: p.uuid, runId: m.runId }),
    (e: unknown) => e instanceof V2kError && e.code === "VIRSH_FAILED" && /not created by this migration/.test(e.message),
  );
});

test("a uuid already used by another domain is refused (--uuid new is the way out)", async () => {
  const m = fixtureManifest({ name: "dup01" });
  const first = policy(`v2k-t-dup01-${tag}`, { networkDefault: { kind: "network", name: "default" } });
  domains.push(first.name);
  await defineDomain(lv.virsh, buildDomainXml(m, first), { name: first.name, uuid: first.uuid, runId: m.runId });
  const second = { ...first, name: `v2k-t-dup02-${tag}` };
  await assert.rejects(
    defineDomain(lv.virsh, buildDomainXml(m, second), { name: second.name, uuid: second.uuid, runId: m.runId }),
    (e: unknown) => e instanceof V2kError && e.code === "VIRSH_FAILED" && e.message.includes(first.name),
  );
  assert.equal(await lv.virsh.exists(second.name), false);
});

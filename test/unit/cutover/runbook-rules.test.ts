// Pure parts of the runbook rules: CBT capability, QCDA missing, govc known-hosts trust, the exported
// example env file, the network default order, the manifest 1 -> 2 migration, cbt enable's hint.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { cbtCapability } from "../../../src/helper/preflight/checks";
import { mapBridgeError } from "../../../src/helper/vsphere/index";
import { knownHostsThumbprint, resolveVcenterAccess } from "../../../src/helper/config/vcenter-access";
import { resolveNetworkDefault } from "../../../src/helper/cutover/network-default";
import { Virsh } from "../../../src/helper/libvirt/virsh";
import { migrateManifest, type RawManifest } from "../../../src/helper/state/index";
import { Workdir } from "../../../src/helper/state/index";
import { Emitter } from "../../../src/kit/emitter";
import { cbtEnable } from "../../../src/helper/sync/cbt";
import { type VsphereBridge } from "../../../src/helper/vsphere/index";
import { V2kError } from "../../../src/shared/v2k-error";
import { repoRoot } from "../../support/lab";
import { sampleManifest, tempDir } from "../state/fixtures";

test("CBT capability: hardware older than vmx-07 or changeTrackingSupported false is No-Go, with the reason", () => {
  assert.equal(cbtCapability({ changeTrackingSupported: true, hardwareVersion: "vmx-14" }).ok, true);
  const old = cbtCapability({ changeTrackingSupported: false, hardwareVersion: "vmx-04" });
  assert.equal(old.ok, false);
  assert.match(old.reason, /vmx-04 is older than vmx-07.*changeTrackingSupported = false/);
  assert.equal(cbtCapability({ changeTrackingSupported: false, hardwareVersion: "vmx-13" }).ok, false);
  assert.equal(cbtCapability({}).ok, true, "a server that does not say is not refused");
});

test("a vCenter without QueryChangedDiskAreas is CBT_UNSUPPORTED with a hint, not VSPHERE_FAULT", () => {
  const e = mapBridgeError("qcda", { kind: "fault", fault: "MethodNotFound", message: "QueryChangedDiskAreas" } as never, "vc");
  assert.equal(e.code, "CBT_UNSUPPORTED");
  assert.match(e.hint, /cold migration/);
  assert.equal(mapBridgeError("powerOn", { kind: "fault", fault: "MethodNotFound", message: "x" } as never, "vc").code, "VSPHERE_FAULT");
});

test("govc's known-hosts file pins the thumbprint; GOVC_THUMBPRINT stays an alternative", async (t) => {
  const dir = tempDir(t);
  const file = join(dir, "known_hosts");
  writeFileSync(file, "# comment\nother.example AA:AA\nvc.example:8443 11:22:33\nvc.example 44:55:66\n");
  assert.equal(knownHostsThumbprint(file, "vc.example", 443), "44:55:66");
  assert.equal(knownHostsThumbprint(file, "vc.example", 8443), "11:22:33");
  assert.equal(knownHostsThumbprint(file, "nope.example", 443), undefined);
  const env = { GOVC_URL: "https://vc.example/sdk", GOVC_USERNAME: "u", GOVC_PASSWORD: "p", GOVC_TLS_KNOWN_HOSTS: file };
  const a = await resolveVcenterAccess({}, { env, readStdin: async () => "" });
  assert.equal(a.thumbprint, "44:55:66");
  const b = await resolveVcenterAccess({}, { env: { ...env, GOVC_THUMBPRINT: "aa:bb" }, readStdin: async () => "" });
  assert.equal(b.thumbprint, "AA:BB");
  await assert.rejects(
    resolveVcenterAccess({}, { env: { ...env, GOVC_TLS_KNOWN_HOSTS: join(dir, "missing") }, readStdin: async () => "" }),
    (e: unknown) => e instanceof V2kError && e.code === "USAGE" && /about\.cert/.test(e.hint),
  );
});

test("the example env file exports govc's real variables: plain `source` is enough", () => {
  const file = join(repoRoot, "pkg/examples/govc.env.example");
  const out = execFileSync("bash", ["--noprofile", "--norc", "-c", `source ${file}; env`], {
    env: { PATH: process.env.PATH ?? "" },
  }).toString();
  for (const v of ["GOVC_URL", "GOVC_USERNAME", "GOVC_PASSWORD", "GOVC_TLS_KNOWN_HOSTS", "GOVC_INSECURE"])
    assert.match(out, new RegExp(`^${v}=`, "m"), v);
  assert.doesNotMatch(out, /^GOVC_THUMBPRINT=/m, "govc has no GOVC_THUMBPRINT: it is only a commented alternative");
});

test("network default order: env, host config file, libvirt 'default' when active, the only bridge; several bridges are ambiguous", async (t) => {
  const dir = tempDir(t);
  const sys = join(dir, "sys");
  const bridge = (n: string) => mkdirSync(join(sys, n, "bridge"), { recursive: true });
  mkdirSync(join(sys, "eth0"), { recursive: true });
  bridge("br0");
  const conf = join(dir, "v2k.conf");
  writeFileSync(conf, "# host defaults\nnetwork-map-default = network:lan\n");
  const noLibvirt = new Virsh({ uri: "qemu+unix:///system?socket=/nonexistent/v2k.sock", timeoutMs: 10_000 });
  const testDriver = new Virsh({ uri: "test:///default", timeoutMs: 10_000 }); // its network 'default' is active
  const missingConf = { ABLESTACK_V2K_CONFIG: join(dir, "none.conf") };

  assert.deepEqual(await resolveNetworkDefault(noLibvirt, { ABLESTACK_V2K_NETWORK_MAP_DEFAULT: "br9", ABLESTACK_V2K_CONFIG: conf }, sys), {
    target: "br9",
    source: "$ABLESTACK_V2K_NETWORK_MAP_DEFAULT",
  });
  assert.deepEqual(await resolveNetworkDefault(noLibvirt, { ABLESTACK_V2K_CONFIG: conf }, sys), {
    target: "network:lan",
    source: `network-map-default in ${conf}`,
  });
  assert.deepEqual(await resolveNetworkDefault(testDriver, missingConf, sys), {
    target: "network:default",
    source: "libvirt network 'default' (active)",
  });
  assert.deepEqual(await resolveNetworkDefault(noLibvirt, missingConf, sys), { target: "br0", source: "the host's only Linux bridge br0" });
  bridge("br1");
  assert.deepEqual(await resolveNetworkDefault(noLibvirt, missingConf, sys), { ambiguous: ["br0", "br1"] });
  assert.equal(await resolveNetworkDefault(noLibvirt, missingConf, join(dir, "no-sys")), null);
  assert.equal(
    await resolveNetworkDefault(testDriver, { ABLESTACK_V2K_NETWORK_MAP_DEFAULT: "none" }, sys),
    null,
    "'none': no host default",
  );
});

test("manifest 1 -> 2: pastCutovers added, a started cutover records that its domain ran", () => {
  const { doc } = migrateManifest({
    schemaVersion: 1,
    cutover: { startedAt: "2026-01-01T00:00:00Z", shutdownMode: "guest" },
  } as RawManifest);
  assert.equal(doc.schemaVersion, 2);
  assert.deepEqual(doc["pastCutovers"], []);
  assert.equal((doc["cutover"] as { domainRanAt: string }).domainRanAt, "2026-01-01T00:00:00Z");
  const plain = migrateManifest({ schemaVersion: 1 } as RawManifest).doc;
  assert.equal(plain["cutover"], undefined);
});

test("cbt enable on a powered-on VM whose disks stay inactive does not say 'power the VM on'", async (t) => {
  const dir = tempDir(t);
  const wd = Workdir.create(join(dir, "wd"), sampleManifest(dir), new Emitter(), "cbt enable");
  t.after(() => wd.release());
  let n = 0;
  const disks = sampleManifest(dir).disks.map((d) => ({ key: d.key, label: d.label, changeId: null }));
  const bridge = {
    inventory: async () => ({ changeTrackingEnabled: true, disks }),
    vmState: async () => ({
      powerState: "poweredOn",
      toolsRunning: true,
      changeTrackingEnabled: true,
      snapshots: [],
      consolidationNeeded: false,
    }),
    snapshotCreate: async () => ({ moref: `snapshot-${++n}` }),
    snapshotRemove: async () => ({ removed: true, missing: false }),
  } as unknown as VsphereBridge;
  await assert.rejects(cbtEnable(wd, bridge), (e: unknown) => {
    assert.ok(e instanceof V2kError && e.code === "CBT_NOT_ACTIVE");
    assert.match(e.message, /the VM is poweredOn/);
    assert.doesNotMatch(e.hint, /Power the VM on/);
    return true;
  });
});

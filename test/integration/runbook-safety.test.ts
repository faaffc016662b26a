// The runbook's safety rules, through the helper CLI against the lab (web01): preflight says No-Go for a
// VM that cannot track changes, a run adopts CBT enabled elsewhere, no final snapshot or sync while the
// source runs, a vCenter without QueryChangedDiskAreas is CBT_UNSUPPORTED, a final snapshot older than the
// power-off is never reused, and a retry after rollback archives the cutover and rebases the disks the
// KVM domain ran on, then cuts over again with a new shutdown and final sync.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type TestLab, labOps } from "../support/lab";
import { LabMigrationWorld } from "../support/lab-migration";
import { cli, cliOk } from "../unit/cutover/cli-helpers";

const world = new LabMigrationWorld({ dir: "v2k-runbook-safety-", domain: "v2k-t-safety-", bridge: "v2ksf" });
const { domain, bridge } = world;
let lab: TestLab;
let dir: string;
let env: Record<string, string>;
let W: string;

before(async () => {
  ({ lab, dir, env } = await world.open());
});
after(() => world.close());

const manifest = (w: string) => JSON.parse(readFileSync(join(w, "manifest.json"), "utf8"));
const labVm = async (name: string) =>
  (await cliOk(["lab", "inventory", "--dir", lab.dir])).vms.find((v: { name: string }) => v.name === name);
const power = async (action: "on" | "off") => {
  const [r] = await labOps(lab, [{ op: "power", vm: "vm-101", action }]);
  assert.ok(r.ok !== undefined, JSON.stringify(r));
};
const cut = ["--domain-name", domain, "--domain-type", "qemu", "--network-map-default", bridge, "--graphics", "none"];

test("preflight: a VM that cannot track changes (hardware vmx-4) is No-Go with the reason", async () => {
  const go = await cli(["preflight", "--vm", "web01", "--dst", dir], { env });
  assert.equal(go.code, 0, JSON.stringify(go.data ?? go.error));
  const ok = go.data.checks.find((c: { id: string }) => c.id === "cbt-capable");
  assert.equal(ok.status, "pass");
  assert.match(ok.reason, /changeTrackingSupported true, hardware vmx-14/);
  await cliOk(["lab", "fault", "--dir", lab.dir, "--kind", "cbt-unsupported", "--vm", "web01"]);
  try {
    const nogo = await cli(["preflight", "--vm", "web01", "--dst", dir], { env });
    assert.equal(nogo.code, 3);
    const bad = nogo.data.checks.find((c: { id: string }) => c.id === "cbt-capable");
    assert.equal(bad.status, "fail");
    assert.match(bad.reason, /vmx-4 is older than vmx-07/);
    assert.match(bad.reason, /changeTrackingSupported = false/);
  } finally {
    await cliOk(["lab", "fault", "--dir", lab.dir, "--kind", "cbt-unsupported", "--vm", "web01", "--count", "14"]);
  }
});

test("CBT enabled by another run is adopted; final snapshot/sync refused while the source runs; no QCDA is CBT_UNSUPPORTED", async () => {
  const other = join(dir, "other");
  for (const d of ["dst-other", "dst"]) mkdirSync(join(dir, d));
  await cliOk(["--workdir", other, "init", "--vm", "web01", "--dst", join(dir, "dst-other")], { env });
  await cliOk(["--workdir", other, "cbt", "enable"], { env });
  W = join(dir, "wd");
  await cliOk(["--workdir", W, "init", "--vm", "web01", "--dst", join(dir, "dst")], { env });
  const status = await cliOk(["--workdir", W, "cbt", "status"], { env });
  assert.equal(status.enabled, true);
  assert.equal(status.active, true);
  const snap = await cli(["--workdir", W, "snapshot", "base"], { env });
  assert.equal(snap.ok, true, `snapshot base with CBT active must not say 'not enabled': ${JSON.stringify(snap.error)}`);
  assert.equal(manifest(W).phase, "cbt-enabled");
  await cliOk(["--workdir", W, "sync", "base"], { env });

  for (const args of [
    ["snapshot", "final"],
    ["sync", "final"],
  ]) {
    const r = await cli(["--workdir", W, ...args], { env });
    assert.equal(r.error?.code, "SOURCE_RUNNING", `${args.join(" ")}: ${JSON.stringify(r.error)}`);
    assert.match(r.error!.hint, /Shut the guest down first/);
  }
  assert.deepEqual((await labVm("web01")).snapshots, [], "a refused final leaves no snapshot");
  assert.equal(manifest(W).rounds.filter((r: { kind: string }) => r.kind === "final").length, 0, "and no final round");

  await cliOk(["lab", "fault", "--dir", lab.dir, "--kind", "qcda-unsupported"]);
  try {
    const r = await cli(["--workdir", W, "sync", "incr"], { env });
    assert.equal(r.error?.code, "CBT_UNSUPPORTED", JSON.stringify(r.error));
    assert.match(r.error!.hint, /vStorage APIs/);
  } finally {
    await cliOk(["lab", "fault", "--dir", lab.dir, "--kind", "qcda-unsupported", "--count", "0"]);
  }
  assert.deepEqual((await labVm("web01")).snapshots, [], "the failed round removed its snapshot");
  await cliOk(["--workdir", W, "sync", "incr"], { env });
});

test("cutover replaces a final snapshot taken before the power-off, verifies before start, verify reports that result", async () => {
  // the operator took a final snapshot while the VM was off, then powered it on again and it wrote
  await power("off");
  const early = await cliOk(["--workdir", W, "snapshot", "final"], { env });
  await power("on");
  await cliOk(["lab", "write", "--dir", lab.dir, "--vm", "web01", "--disk", "0", "--offset", "300M", "--length", "1M", "--seed", "71"]);
  const c = await cli(["--workdir", W, "cutover", "--shutdown", "poweroff", "--define-only", "--start", ...cut], { env });
  assert.equal(c.ok, true, JSON.stringify(c.error));
  assert.equal(c.data.started, true, "--define-only --start defines and starts");
  const m = manifest(W);
  const finals = m.rounds.filter((r: { kind: string }) => r.kind === "final");
  assert.equal(finals[0].n, early.round);
  assert.equal(finals[0].status, "failed", "the early final round is not reused");
  assert.equal(finals.at(-1).status, "synced");
  assert.ok(finals.at(-1).startedAt > m.cutover.sourceOffAt, "the final round used started after the power-off");
  assert.equal(finals.at(-1).changedBytes >= 1 << 20, true, "the write made after the early snapshot is carried");
  assert.match(m.cutover.sourceOffEvidence, /poweredOff/);
  assert.ok(m.cutover.domainRanAt && m.cutover.verifiedAt && m.cutover.verifiedAt < m.cutover.domainRanAt);
  assert.equal(m.cutover.networkDefaultSource, "--network-map-default");

  const v = await cliOk(["--workdir", W, "verify", "--mode", "quick", "--samples", "64"], { env });
  assert.equal(v.origin, "recorded");
  assert.match(v.compared, /before the KVM domain first started/);
  assert.match(v.notRerun, /is running/);
  assert.deepEqual(
    v.disks.map((d: { blocks: number }) => d.blocks),
    [64, 64],
  );
  const full = await cli(["--workdir", W, "verify", "--mode", "full"], { env });
  assert.equal(full.error?.code, "PHASE_ORDER", "no full comparison against a running guest's disks");
});

test("rollback then retry on the same workdir: cutover archived, every disk rebased, a new shutdown and final sync", async () => {
  const before = manifest(W);
  assert.equal(before.schemaVersion, 2);
  await cliOk(["--workdir", W, "rollback"], { env });
  assert.equal((await labVm("web01")).powerState, "poweredOn");
  const r = await cliOk(["--workdir", W, "sync", "incr", "--resume"], { env });
  assert.deepEqual(
    [...r.rebased].sort((a: number, b: number) => a - b),
    [2000, 16000],
    "the KVM guest may have written anywhere: full copy of both disks",
  );
  const m = manifest(W);
  assert.equal(m.cutover, undefined, "the old cutover is not reused");
  assert.equal(m.pastCutovers.length, 1);
  assert.equal(m.pastCutovers[0].sourceOffAt, before.cutover.sourceOffAt);
  assert.equal(m.pastCutovers[0].domainRanAt, before.cutover.domainRanAt);
  assert.match(m.pastCutovers[0].reason, /undone by rollback.*the KVM domain ran/);
  assert.ok(
    m.disks.every((d: { needsRebase: string | null }) => d.needsRebase === null),
    "rebase done and cleared",
  );

  const c = await cliOk(["--workdir", W, "cutover", "--shutdown", "poweroff", ...cut], { env });
  assert.equal(c.started, false);
  const m2 = manifest(W);
  assert.ok(m2.cutover.sourceOffAt > before.cutover.sourceOffAt, "the source was shut down again");
  const final = m2.rounds.filter((x: { kind: string }) => x.kind === "final").at(-1);
  assert.ok(final.startedAt > m2.cutover.sourceOffAt && final.status === "synced", "a new final sync after the new power-off");
  assert.equal(m2.cutover.domainRanAt, undefined);
  // a fresh comparison now that the domain never ran since the final sync
  const v = await cliOk(["--workdir", W, "verify", "--mode", "quick", "--samples", "8"], { env });
  assert.equal(v.origin, "fresh");
  assert.match(v.compared, /never ran/);
  await cliOk(["--workdir", W, "rollback"], { env });
});

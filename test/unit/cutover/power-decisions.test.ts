// Cutover and rollback decisions about the VMware source, against the in-process vSphere fake (the
// lab model's power states and snapshots): what is refused while the source runs, how it is taken
// down, and that rollback powers it on only when the migration took it down.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { type FakeVsphere } from "../../support/fake-vsphere";
import { FakeMigrations } from "../../support/fake-migration";
import { type Workdir } from "../../../src/helper/state/index";
import { runCutover, type CutoverOptions } from "../../../src/helper/cutover/cutover";
import { requireSourceOff, shutdownSource } from "../../../src/helper/cutover/source-power";
import { runRollback, sourceToPowerOn } from "../../../src/helper/rollback/rollback";
import { type Virsh } from "../../../src/helper/libvirt/virsh";
import { V2kError } from "../../../src/shared/v2k-error";
import { type Manifest } from "../../../src/shared/manifest";

let world: FakeMigrations;
let fake: FakeVsphere;

before(async () => {
  world = await FakeMigrations.open("v2k-power-");
  fake = world.fake;
});
after(() => world?.close());

/** libvirt with no domain of ours: rollback asks, finds nothing, changes nothing. Any other call fails the test. */
function emptyVirsh(calls: string[]): Virsh {
  const fake = {
    dumpXml: async (name: string) => (calls.push(`dumpXml ${name}`), null),
    exists: async (name: string) => (calls.push(`exists ${name}`), false),
  };
  return new Proxy(fake, {
    get: (t, p) => (p in t ? t[p as keyof typeof t] : () => assert.fail(`virsh.${String(p)} must not be called`)),
  }) as unknown as Virsh;
}

/** A migration of one fleet VM after its incremental rounds, before cutover. */
function migrationOf(vmName: string, patch: (m: Manifest) => void = () => {}): Promise<{ wd: Workdir; moref: string }> {
  return world.migrationOf(vmName, (m) => {
    m.phase = "incr-synced";
    patch(m);
  });
}

const cutoverOptions = (shutdown: CutoverOptions["shutdown"]) =>
  ({ shutdown, shutdownTimeoutSec: 5, start: false, domain: {} }) as CutoverOptions;

test("cutover --shutdown already-off with a running source is refused before anything is recorded", async (t) => {
  const { wd, moref } = await migrationOf("fleet01");
  t.after(() => wd.release());
  const virshCalls: string[] = [];
  await assert.rejects(
    runCutover(wd, cutoverOptions("already-off"), {
      bridge: fake,
      virsh: emptyVirsh(virshCalls),
      finalRound: async () => assert.fail("no final round while the source runs"),
    }),
    (e: unknown) => e instanceof V2kError && e.code === "SOURCE_RUNNING" && /already-off/.test(e.message),
  );
  assert.equal(wd.manifest.cutover, undefined);
  assert.equal(wd.manifest.phase, "incr-synced");
  assert.deepEqual(virshCalls, []);
  assert.equal((await fake.vmState(moref)).powerState, "poweredOn", "the source was not touched");
});

test("shutdown: poweroff takes the source down and proves it; a source already off is left alone; a guest shutdown without tools is refused", async () => {
  const moref = (await fake.inventory({ name: "fleet02" })).moref;
  fake.calls.length = 0;
  assert.deepEqual(await shutdownSource(fake, moref, { mode: "poweroff", timeoutSec: 5 }), { action: "power-off" });
  await requireSourceOff(fake, moref, "define the KVM domain");
  assert.deepEqual(await shutdownSource(fake, moref, { mode: "guest", timeoutSec: 5 }), { action: "none" });
  assert.deepEqual(fake.callsOf("powerOff"), [`powerOff ${moref}`], "powered off once, never again");
  assert.deepEqual(fake.callsOf("shutdownGuest"), []);
  await fake.powerOn(moref);
  await assert.rejects(
    requireSourceOff(fake, moref, "start the KVM domain"),
    (e: unknown) => e instanceof V2kError && e.code === "SOURCE_RUNNING",
  );
  // the fleet guests run no VMware Tools: a guest shutdown is refused with the way out, the source stays up
  assert.equal(fake.model.vm(moref).toolsRunning, false);
  await assert.rejects(
    shutdownSource(fake, moref, { mode: "guest", timeoutSec: 5, pollMs: 50 }),
    (e: unknown) => e instanceof V2kError && e.code === "VSPHERE_FAULT" && /--shutdown poweroff/.test(e.hint),
  );
  assert.equal((await fake.vmState(moref)).powerState, "poweredOn");
});

test("rollback powers the source on when a cutover shut it down, and only then", async (t) => {
  // ran at init, cutover powered it off: on again
  const a = await migrationOf("fleet03");
  t.after(() => a.wd.release());
  await shutdownSource(fake, a.moref, { mode: "poweroff", timeoutSec: 5 });
  await a.wd.update((m) => {
    m.cutover = { shutdownMode: "poweroff", requestedAt: new Date().toISOString(), sourceOffAt: new Date().toISOString() };
    m.cutover.sourceOffEvidence = `vCenter reported powerState poweredOff at ${m.cutover.sourceOffAt} (power-off)`;
    m.cutover.domainName = "fleet03-kvm";
  });
  const virshCalls: string[] = [];
  fake.calls.length = 0;
  const r = await runRollback(a.wd, { removeDisks: false, keepSourceOff: false }, { bridge: fake, virsh: emptyVirsh(virshCalls) });
  assert.equal(r.sourcePoweredOn, true);
  assert.deepEqual(fake.callsOf("powerOn"), [`powerOn ${a.moref}`]);
  assert.equal((await fake.vmState(a.moref)).powerState, "poweredOn");
  assert.ok(virshCalls.includes("exists fleet03-kvm"), "the domain is looked for before the source comes back");
  assert.equal(a.wd.manifest.phase, "rolled-back");

  // --keep-source-off: stays off
  const b = await migrationOf("fleet04");
  t.after(() => b.wd.release());
  await fake.powerOff(b.moref);
  await b.wd.update((m) => {
    m.cutover = { shutdownMode: "guest", requestedAt: new Date().toISOString() };
  });
  fake.calls.length = 0;
  const kept = await runRollback(b.wd, { removeDisks: false, keepSourceOff: true }, { bridge: fake, virsh: emptyVirsh([]) });
  assert.equal(kept.sourcePoweredOn, false);
  assert.deepEqual(fake.callsOf("powerOn"), []);
  assert.equal(kept.sourcePowerState, "poweredOff");
});

test("rollback leaves off a source that was off at init and that the cutover found off", async (t) => {
  const { wd, moref } = await migrationOf("fleet04", (m) => {
    m.vm.powerStateAtInit = "poweredOff";
  });
  t.after(() => wd.release());
  if ((await fake.vmState(moref)).powerState !== "poweredOff") await fake.powerOff(moref);
  await wd.update((m) => {
    const at = new Date().toISOString();
    m.cutover = {
      shutdownMode: "guest",
      requestedAt: at,
      sourceOffAt: at,
      sourceOffEvidence: `vCenter reported powerState poweredOff at ${at} (already off)`,
    };
  });
  fake.calls.length = 0;
  const r = await runRollback(wd, { removeDisks: false, keepSourceOff: false }, { bridge: fake, virsh: emptyVirsh([]) });
  assert.equal(r.sourcePoweredOn, false);
  assert.deepEqual(fake.callsOf("powerOn"), []);
  assert.equal((await fake.vmState(moref)).powerState, "poweredOff");
});

test("sourceToPowerOn: ran at init, or taken down by a cutover; never for a source the migration found off", async () => {
  const base = (await migrationOf("fleet01")).wd;
  base.release();
  const m = (patch: (x: Manifest) => void): Manifest => {
    const x = structuredClone(base.manifest);
    patch(x);
    return x;
  };
  const at = "2026-11-29T00:00:00Z";
  assert.equal(sourceToPowerOn(m(() => {})), true, "ran at init");
  assert.equal(sourceToPowerOn(m((x) => (x.vm.powerStateAtInit = "poweredOff"))), false, "off at init, no cutover");
  const offAtInit = (c: Manifest["cutover"]) =>
    m((x) => {
      x.vm.powerStateAtInit = "poweredOff";
      x.cutover = c;
    });
  assert.equal(sourceToPowerOn(offAtInit({ shutdownMode: "already-off", requestedAt: at, sourceOffAt: at })), false);
  assert.equal(
    sourceToPowerOn(offAtInit({ shutdownMode: "poweroff", requestedAt: at, sourceOffAt: at, sourceOffEvidence: "x (power-off)" })),
    true,
  );
  assert.equal(sourceToPowerOn(offAtInit({ shutdownMode: "guest", requestedAt: at })), true, "a shutdown may have been requested");
});

// Guest conversion on the lab's real Debian 12 guest (linux01: initramfs for VMware controllers only),
// through the helper CLI as an admin runs it. Under TCG each boot and conversion takes minutes, so
// one lab serves all steps and each rehearsal is made to count: a conversion failing in its rehearsal
// stops the cutover with the source still running, and the same run cut over with --convert none on
// virtio disks ends in the initramfs, which gives up on its root disk (seen on the serial console, no
// login:). A second run's conversion is killed seconds in after the shutdown: the copied disk stays
// byte-identical and the error carries the log's tail; the cutover re-run as the hint says converts,
// defines virtio disks, boots to login:, and rolls back to the running source.
// TCG keeps one core busy at a time for most of a conversion or boot: the control and win01 run beside the
// long conversion case, the control on a lab of its own (both migrate a linux01 and power it off and on).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { addTestBridge, type LibvirtdHandle, removeDomains, removeTestBridge, startLibvirtd } from "../support/libvirtd";
import { type TestLab, startTestLab } from "../support/lab";
import { cli, cliOk, labEnv } from "../unit/cutover/cli-helpers";
import { linux01ImagePath, linux01ImageReady } from "../../src/lab/guest-image/linux01";
import { locateVirtV2vInPlace } from "../../src/helper/convert/locate";

const tag = randomBytes(3).toString("hex");
const domain = `v2k-t-linux01-${tag}`;
const controlDomain = `${domain}-control`;
const bridge = `v2kbr${tag}`;
/** Under TCG on a busy 2-core host linux01 reaches login: in about 3 min. */
const BOOT_TIMEOUT_S = 480;
/** initramfs-tools waits max(30 s, rootdelay) for a root disk it cannot see, then says so and drops to a shell. */
const CONTROL_TIMEOUT_S = 300;
const INITRAMFS_GAVE_UP = "re:Gave up waiting for root|ALERT!.* does not exist";
/** Seconds virt-v2v-in-place runs before the failure case kills it (its log has started, the overlay exists). */
const KILL_AFTER_S = 8;
let lv: LibvirtdHandle;
let lab: TestLab;
/** The control's own lab: its linux01 is shut down and rolled back while the main lab's converts. */
let controlLab: TestLab;
let dir: string;
let env: Record<string, string>;
let controlEnv: Record<string, string>;

before(async () => {
  assert.ok(
    linux01ImageReady(),
    `linux01's image ${linux01ImagePath()} is not built: run 'make lab-images' (ablestack_v2k lab build-images)`,
  );
  dir = mkdtempSync(join(tmpdir(), "v2k-convert-"));
  lv = await startLibvirtd();
  [lab, controlLab] = await Promise.all([startTestLab(), startTestLab()]);
  env = labEnv(lab);
  controlEnv = labEnv(controlLab);
  await addTestBridge(bridge);
});

after(async () => {
  if (lv) {
    await removeDomains(lv.virsh, [domain, `${domain}-v2k-boot-check`, controlDomain, `${controlDomain}-v2k-boot-check`]);
    await lv.release();
  }
  await removeTestBridge(bridge);
  if (lab) await lab.stop();
  if (controlLab) await controlLab.stop();
  rmSync(dir, { recursive: true, force: true });
});

const cutTo = (name: string) => [
  "--shutdown",
  "poweroff",
  "--domain-name",
  name,
  "--domain-type",
  "qemu",
  "--network-map-default",
  bridge,
  "--graphics",
  "none",
];
const cut = cutTo(domain);

async function labVm(vm: string, on: TestLab = lab): Promise<{ powerState: string; snapshots: unknown[] }> {
  const inv = await cliOk(["lab", "inventory", "--dir", on.dir]);
  return inv.vms.find((v: { name: string }) => v.name === vm);
}

async function baseCopy(name: string, on: TestLab = lab): Promise<string> {
  const env = labEnv(on);
  const W = join(dir, name);
  const dst = join(dir, `${name}-dst`);
  mkdirSync(dst);
  await cliOk(["--workdir", W, "init", "--vm", "linux01", "--dst", dst], { env });
  await cliOk(["--workdir", W, "cbt", "enable"], { env });
  await cliOk(["--workdir", W, "sync", "base"], { env, timeoutMs: 600_000 });
  // a guest write in the unpartitioned tail (from 3 GiB): the final round carries it, the boot is untouched
  await cliOk(["lab", "write", "--dir", on.dir, "--vm", "linux01", "--disk", "0", "--offset", "3G", "--length", "1M", "--seed", "51"]);
  return W;
}

/** Processes with a path of this workdir's conversion in their argv (virt-v2v, its qemu-nbd, the appliance). */
function conversionProcesses(W: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync("/proc").filter((n) => /^\d+$/.test(n))) {
    try {
      const argv = readFileSync(`/proc/${e}/cmdline`, "utf8");
      if (argv.includes(join(W, "convert"))) out.push(`${e} ${argv.replace(/\0/g, " ").slice(0, 120)}`);
    } catch {
      /* gone */
    }
  }
  return out;
}

function manifest(W: string): any {
  return JSON.parse(readFileSync(join(W, "manifest.json"), "utf8"));
}

/**
 * virt-v2v-in-place as installed; its first `passes` runs go through, later ones are killed with SIGKILL
 * seconds in (a conversion that fails).
 */
function v2vKilledAfter(passes: number): string {
  const killer = join(dir, `v2v-killed-after-${passes}.sh`);
  const count = join(dir, `v2v-runs-${passes}`);
  writeFileSync(
    killer,
    `#!/bin/bash\nn=$(cat "${count}" 2>/dev/null || echo 0)\necho $((n + 1)) > "${count}"\n` +
      `if [ "$n" -lt ${passes} ]; then exec "${locateVirtV2vInPlace()}" "$@"; fi\n` +
      `"${locateVirtV2vInPlace()}" "$@" &\npid=$!\nsleep ${KILL_AFTER_S}\nkill -9 $pid\nwait $pid\n`,
  );
  chmodSync(killer, 0o755);
  return killer;
}

describe("linux01 and win01 under TCG, the long conversion beside the control and win01", { concurrency: 2 }, () => {
  test("a conversion killed after the shutdown leaves the copied disk as copied; the re-run converts linux01: virtio disks, boots to login:, verify excludes only converted blocks, rollback restores the source", async () => {
    const W = await baseCopy("converted");
    // the rehearsal passes, the conversion after the final round is killed: the copied disks stay as copied
    // (one rehearsal serves both: under TCG each costs minutes)
    const r = await cli(["--workdir", W, "cutover", ...cut, "--convert", "virt-v2v"], {
      env: { ...env, ABLESTACK_V2K_VIRT_V2V_IN_PLACE: v2vKilledAfter(1) },
      timeoutMs: 1_200_000,
    });
    assert.equal(manifest(W).conversionRehearsal.state, "ok", "the rehearsal went through");
    assert.equal(r.error?.code, "CONVERSION_FAILED", JSON.stringify(r.error));
    assert.match(r.error!.hint, /copied disks are unchanged/);
    assert.ok((r.error!.detail ?? "").length > 0, "the error carries the log's tail");
    const m = manifest(W);
    assert.ok(existsSync(m.cutover.conversion.logPath));
    assert.equal(existsSync(join(W, "convert")), false, "no overlay is left behind");
    assert.deepEqual(conversionProcesses(W), [], "no process of the killed conversion is left");
    assert.equal(await lv.virsh.domState(domain), null, "nothing was defined");
    const asCopied = await cli(["--workdir", W, "verify", "--mode", "full"], { env, timeoutMs: 900_000 });
    assert.equal(asCopied.ok, true, `the target equals the source after a failed conversion: ${JSON.stringify(asCopied.error)}`);
    assert.equal(asCopied.data.disks[0].excludedBytes, undefined, "nothing is excluded: conversion committed nothing");

    // the admin re-runs the cutover as the hint says: it resumes after the shutdown and converts
    const t0 = Date.now();
    const c = await cli(["--workdir", W, "cutover", ...cut], { env, timeoutMs: 3_600_000 });
    assert.equal(c.ok, true, `${JSON.stringify(c.error)}\n${c.stderr.slice(-3000)}`);
    const done = manifest(W);
    const conv = done.cutover.conversion;
    assert.equal(conv.state, "committed");
    assert.equal(conv.tool, "virt-v2v");
    assert.equal(done.conversionRehearsal.state, "ok");
    assert.ok(Date.parse(done.conversionRehearsal.at) < Date.parse(done.cutover.sourceOffAt), "rehearsed while the source still ran");
    assert.equal(conv.virtio, true);
    assert.ok((conv.os ?? "").length > 0, "the converted OS is recorded (virt-v2v names Debian by its version, e.g. 12.15)");
    const log = readFileSync(conv.logPath, "utf8");
    assert.doesNotMatch(log, new RegExp(lab.password.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")), "no credential in the conversion log");
    const changed = conv.changedRanges["2000"].reduce((n: number, r: [number, number]) => n + r[1], 0);
    assert.ok(changed > 0, "conversion changed blocks");
    const xml = readFileSync(c.data.xmlPath, "utf8");
    assert.match(xml, /<target dev='vda' bus='virtio'\/>/);
    assert.match(xml, /<model type='virtio'\/>/);
    // the downtime here also holds the killed attempt and the full verify between the two runs
    const downtime = done.cutover.downtimeMs as number;
    process.stderr.write(
      `linux01: conversion ${(conv.durationMs / 1000).toFixed(1)} s; resumed cutover ${((Date.now() - t0) / 1000).toFixed(0)} s; ` +
        `downtime ${(downtime / 1000).toFixed(1)} s with the killed attempt; ${changed} bytes changed\n`,
    );
    assert.ok(
      c.events.some((e) => e.type === "log" && /guest converted in/.test(e.message)),
      "events.log says what conversion did",
    );

    const boot = await cliOk(
      ["--workdir", W, "verify", "--mode", "boot", "--boot-marker", "re:login:", "--boot-timeout", String(BOOT_TIMEOUT_S), "--no-agent"],
      { env, timeoutMs: 900_000 },
    );
    assert.equal(boot.ok, true);
    process.stderr.write(`linux01: converted guest reached login: after ${boot.boot.seconds.toFixed(1)} s (TCG)\n`);
    const full = await cli(["--workdir", W, "verify", "--mode", "full"], { env, timeoutMs: 900_000 });
    assert.equal(full.ok, true, JSON.stringify(full.error));
    assert.equal(full.data.disks[0].excludedBytes, changed, "verify leaves out exactly the converted blocks");
    assert.match(manifest(W).verify.at(-1).detail, /rewritten by guest conversion were not compared/);

    const rb = await cliOk(["--workdir", W, "rollback"], { env });
    assert.equal(rb.sourcePoweredOn, true);
    const vm = await labVm("linux01");
    assert.equal(vm.powerState, "poweredOn");
    assert.deepEqual(vm.snapshots, []);
    assert.equal(await lv.virsh.domState(domain), null);
  });

  test("a conversion failing in its rehearsal stops the cutover before the shutdown; --convert none on virtio disks ends in the initramfs", async () => {
    const W = await baseCopy("failed", controlLab);
    const env = controlEnv;
    const cut = cutTo(controlDomain);
    const phase = manifest(W).phase;
    // the rehearsal (on a throwaway copy, the source still running) fails: nothing is shut down
    const early = await cli(["--workdir", W, "cutover", ...cut, "--convert", "virt-v2v"], {
      env: { ...env, ABLESTACK_V2K_VIRT_V2V_IN_PLACE: v2vKilledAfter(0) },
      timeoutMs: 600_000,
    });
    assert.equal(early.error?.code, "CONVERSION_FAILED", JSON.stringify(early.error));
    assert.match(early.error!.message, /rehearsal.*not shut down/);
    assert.equal((await labVm("linux01", controlLab)).powerState, "poweredOn", "the VMware VM keeps running");
    assert.equal(manifest(W).cutover, undefined, "no cutover was begun");
    assert.equal(manifest(W).phase, phase);
    assert.equal(manifest(W).conversionRehearsal.state, "failed");
    assert.equal(existsSync(join(W, "convert")), false, "no overlay of the rehearsal is left behind");
    assert.deepEqual(conversionProcesses(W), [], "no process of the killed rehearsal is left");

    // control: the same copy cut over without conversion, on virtio disks: its initramfs gives up on the root disk
    const c = await cliOk(["--workdir", W, "cutover", ...cut, "--convert", "none", "--disk-bus", "virtio"], { env });
    assert.equal(manifest(W).cutover.conversion.state, "skipped");
    assert.match(readFileSync(c.xmlPath, "utf8"), /bus='virtio'/);
    const boot = await cli(
      [
        "--workdir",
        W,
        "verify",
        "--mode",
        "boot",
        "--boot-marker",
        INITRAMFS_GAVE_UP,
        "--boot-timeout",
        String(CONTROL_TIMEOUT_S),
        "--no-agent",
      ],
      { env, timeoutMs: 900_000 },
    );
    assert.equal(boot.ok, true, `an initramfs without virtio cannot find its root disk: ${JSON.stringify(boot.error)}`);
    assert.doesNotMatch(boot.data.boot.consoleTail, /login:/);
    process.stderr.write(`linux01 control: the initramfs gave up on its root disk after ${boot.data.boot.seconds.toFixed(1)} s (TCG)\n`);
    await cliOk(["--workdir", W, "rollback"], { env });
    assert.equal((await labVm("linux01", controlLab)).powerState, "poweredOn");
  });

  test("win01 without virtio-win: the fallback path (SATA disks, e1000e NIC) with warnings that say what to install", async () => {
    const W = join(dir, "win01");
    const dst = join(dir, "win01-dst");
    mkdirSync(dst);
    // the host default for unmapped port groups, as an admin sets it (other suites' bridges may exist meanwhile)
    const pre = await cliOk(["preflight", "--vm", "win01", "--dst", dst], { env: { ...env, ABLESTACK_V2K_NETWORK_MAP_DEFAULT: bridge } });
    const check = pre.checks.find((c: { id: string }) => c.id === "conversion");
    assert.equal(check.status, "warn");
    assert.match(check.reason, /SATA disks and an e1000e NIC.*install the virtio-win package/);
    await cliOk(["--workdir", W, "init", "--vm", "win01", "--dst", dst], { env });
    await cliOk(["--workdir", W, "cbt", "enable"], { env });
    await cliOk(["--workdir", W, "sync", "base"], { env });
    const winDomain = `${domain}-win`;
    const c = await cli(["--workdir", W, "cutover", ...cut.map((a) => (a === domain ? winDomain : a))], {
      env: { ...env, VIRTIO_WIN: "" },
      timeoutMs: 1_800_000,
    });
    try {
      assert.equal(c.ok, true, JSON.stringify(c.error));
      const codes = manifest(W).warnings.map((w: { code: string }) => w.code);
      assert.ok(codes.includes("VIRTIO_WIN_MISSING"), codes.join(","));
      assert.ok(c.events.some((e) => e.type === "log" && e.level === "warn" && /install the virtio-win package/.test(e.message)));
      // the lab's win01 holds test data, not Windows: virt-v2v finds no OS and auto leaves the disks as copied
      assert.ok(codes.includes("CONVERT_NO_OS"), codes.join(","));
      // found by the rehearsal before the shutdown: no conversion time in the downtime
      const m = manifest(W);
      assert.equal(m.conversionRehearsal.state, "no-os");
      assert.ok(Date.parse(m.conversionRehearsal.at) < Date.parse(m.cutover.sourceOffAt));
      assert.equal(m.cutover.conversion.state, "skipped");
      assert.equal(m.cutover.conversion.durationMs, 0);
      const xml = readFileSync(c.data.xmlPath, "utf8");
      assert.match(xml, /bus='sata'/);
      assert.match(xml, /<model type='e1000e'\/>/);
    } finally {
      await removeDomains(lv.virsh, [winDomain]);
    }
  });
});

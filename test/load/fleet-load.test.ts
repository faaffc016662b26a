// Load: four VMs migrated at once on one host against the lab, with guest writes and incremental rounds,
// under a host cap of 2 parallel disk copies and a host-wide bandwidth limit (host config file). Checks
// the cap held, every target is byte-identical to the lab's disk, and prints the total throughput and
// the peak memory (summed RSS of our processes: helpers, nbdkit, qemu-nbd, the python bridge).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { slotHolders } from "../../src/kit/slots";
import { hashImage, helper, labHash, labWrite, ok, readManifestFile, startLab, tempDir } from "../integration/engine-support";

const MiB = 1024 * 1024;
const VMS = ["fleet01", "fleet02", "fleet03", "fleet04"];
const BWLIMIT_MBPS = 24;

function ppidOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return -1;
  }
}

function rssBytes(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Summed RSS of the given processes and all their descendants (nbdkit, qemu-nbd, python, ...). */
function treeRss(roots: number[]): { bytes: number; processes: number } {
  const pids = readdirSync("/proc")
    .filter((n) => /^\d+$/.test(n))
    .map(Number);
  const parent = new Map(pids.map((p) => [p, ppidOf(p)]));
  const ours = new Set(roots);
  for (let grew = true; grew;) {
    grew = false;
    for (const [p, pp] of parent) {
      if (ours.has(p) || !ours.has(pp)) continue;
      ours.add(p);
      grew = true;
    }
  }
  let bytes = 0;
  for (const p of ours) bytes += rssBytes(p);
  return { bytes, processes: ours.size };
}

test(
  "load: 4 VMs at once, incremental rounds with guest writes, host cap 2 disks + bandwidth cap, byte-identical",
  { timeout: 900_000 },
  async (t) => {
    const lab = await startLab(t, "fleet");
    const dir = tempDir(t, "v2k-load-");
    const slots = join(dir, "slots");
    const conf = join(dir, "ablestack-v2k.conf");
    writeFileSync(conf, `max-parallel-disks=2\nbwlimit=${BWLIMIT_MBPS}\n`);
    const env = { ...lab.env, ABLESTACK_V2K_CONFIG: conf, ABLESTACK_V2K_SLOTS_DIR: slots };
    const wds = VMS.map((vm) => join(dir, `wd-${vm}`));

    // the guests keep writing while the runs copy: 1 MiB somewhere in each disk's first 120 MiB
    let writing = true;
    let seed = 1000;
    const writer = (async () => {
      while (writing) {
        for (const vm of VMS) await labWrite(lab, vm, seed % 2, (seed % 120) * MiB, MiB, seed++);
        await new Promise((r) => setTimeout(r, 500));
      }
    })();

    let peakSlots = 0;
    let peakRss = { bytes: 0, processes: 0 };
    const children: number[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peakSlots = Math.max(peakSlots, slotHolders(slots, "disks").length);
        const r = treeRss(children);
        if (r.bytes > peakRss.bytes) peakRss = r;
        await new Promise((res) => setTimeout(res, 100));
      }
    })();

    const t0 = Date.now();
    const runs = await Promise.all(
      VMS.map((vm, i) => {
        const dst = join(dir, `dst-${vm}`);
        mkdirSync(dst);
        // the criterion never holds while the guest writes: each run does --max-rounds incremental rounds
        const args = ["--workdir", wds[i]!, "run", "--vm", vm, "--dst", dst, "--until", "synced"];
        args.push("--interval", "1", "--max-rounds", "3", "--cutover-when", "bytes<1,seconds<1");
        return helper(args, { env, timeoutMs: 600_000, onSpawn: (pid) => children.push(pid) });
      }),
    );
    const seconds = (Date.now() - t0) / 1000;
    writing = false;
    await writer;
    sampling = false;
    await sampler;
    for (const r of runs) assert.equal(r.result.ok, true, JSON.stringify(r.result.error ?? r.result) + r.stderr.slice(-2000));
    const incr = runs.map((r) => r.result.data.incrRounds as number);
    for (const n of incr) assert.ok(n >= 1 && n <= 3, `incremental rounds per run: ${incr}`);

    const copied = wds.reduce(
      (s, W) => s + readManifestFile(W).rounds.reduce((a: number, r: { copiedBytes: number }) => a + r.copiedBytes, 0),
      0,
    );
    const waits = runs.reduce(
      (s, r) => s + r.events.filter((e) => e.type === "log" && /waiting for a copy slot/.test(e.message)).length,
      0,
    );
    const mbps = copied / 1e6 / seconds;
    // while copying (per disk and round: bytes over the copy's own time, slot waits excluded)
    type DiskRound = { copiedBytes: number; durationMs?: number };
    const diskRounds: DiskRound[] = wds.flatMap((W) =>
      readManifestFile(W).rounds.flatMap((r: { disks: Record<string, DiskRound> }) => Object.values(r.disks)),
    );
    const copyMs = diskRounds.reduce((s, d) => s + (d.durationMs ?? 0), 0);
    const perCopy = copyMs > 0 ? diskRounds.reduce((s, d) => s + d.copiedBytes, 0) / 1e6 / (copyMs / 1000) : 0;
    process.stderr.write(
      `load: 4 VMs x 2 disks, 1 base + ${incr.join("/")} incremental rounds, cap 2 disks, bwlimit ${BWLIMIT_MBPS} MB/s: ` +
        `${(copied / 1e6).toFixed(1)} MB copied in ${seconds.toFixed(1)} s = ${mbps.toFixed(1)} MB/s total ` +
        `(${perCopy.toFixed(1)} MB/s per disk while copying); ` +
        `peak slots ${peakSlots}; ${waits} waits; peak RSS ${(peakRss.bytes / MiB).toFixed(0)} MiB over ${peakRss.processes} processes\n`,
    );
    assert.ok(peakSlots <= 2 && peakSlots >= 1, `host cap of 2 disk copies held (peak ${peakSlots})`);
    assert.ok(waits >= 1, "copies waited for slots");
    assert.ok(peakRss.bytes > 0);

    // the guests are quiet now: one more incremental round each, then every target equals the lab's disk
    await Promise.all(wds.map((W) => ok(["--workdir", W, "sync", "incr"], { env, timeoutMs: 300_000 })));
    for (const [i, vm] of VMS.entries()) {
      const m = readManifestFile(wds[i]!);
      for (const [n, d] of m.disks.entries())
        assert.equal(await hashImage(d.target.path, d.target.format), await labHash(lab, vm, n), `${vm} disk ${n} byte-identical`);
    }
    assert.equal(slotHolders(slots, "disks").length, 0, "every slot was released");
  },
);

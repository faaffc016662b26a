// Two real migrations at once against the lab under a host cap of 1 parallel disk copy and a host-wide
// bandwidth limit (host config file): never more than one copy holds a host slot, the other says in
// its events and in `status --json` that it waits and for what, and both targets equal the lab's disks.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { slotHolders } from "../../src/kit/slots";
import { hashImage, helper, labHash, readManifestFile, startLab, tempDir } from "./engine-support";

test(
  "two migrations share a host cap of 1 disk copy: one waits and says for what; targets byte-identical",
  { timeout: 300_000 },
  async (t) => {
    const lab = await startLab(t, "fleet");
    const dir = tempDir(t, "v2k-slots-it-");
    const slots = join(dir, "slots");
    const conf = join(dir, "ablestack-v2k.conf");
    writeFileSync(conf, "# host limits for this test\nmax-parallel-disks=1\nbwlimit=8\n");
    const env = { ...lab.env, ABLESTACK_V2K_CONFIG: conf, ABLESTACK_V2K_SLOTS_DIR: slots };
    const vms = ["fleet01", "fleet02"];
    const wds = vms.map((vm) => join(dir, `wd-${vm}`));

    let peak = 0;
    const waitingSeen: string[] = [];
    const listedWaiting: string[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, slotHolders(slots, "disks").length);
        for (const W of wds) {
          const s = await helper(["--workdir", W, "status"], { env }).catch(() => null);
          for (const w of s?.result.data?.waiting ?? []) waitingSeen.push(`${W}: ${w.for}`);
        }
        const list = await helper(["list", "--root", dir], { env }).catch(() => null);
        for (const m of list?.result.data?.migrations ?? [])
          for (const w of m.waiting ?? []) listedWaiting.push(`${m.manifest.vm.name}: ${w.for}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const t0 = Date.now();
    const runs = await Promise.all(
      vms.map((vm, i) => {
        const dst = join(dir, `dst-${vm}`);
        mkdirSync(dst);
        return helper(
          ["--workdir", wds[i]!, "run", "--vm", vm, "--dst", dst, "--until", "synced", "--interval", "0", "--max-rounds", "1"],
          {
            env,
            timeoutMs: 240_000,
          },
        );
      }),
    );
    sampling = false;
    await sampler;
    const seconds = (Date.now() - t0) / 1000;
    for (const r of runs) assert.equal(r.result.ok, true, JSON.stringify(r.result.error ?? r.result) + r.stderr);

    assert.equal(peak, 1, "exactly one disk copy held the host's single slot at a time");
    const waits = runs.flatMap((r) => r.events.filter((e) => e.type === "log" && /waiting for a copy slot/.test(e.message)));
    assert.ok(waits.length >= 1, "a copy waited");
    assert.match(waits[0]!.message, /host-wide disk copies 1\/1 busy \(fleet0[12] Hard disk \d/);
    assert.ok(waitingSeen.length >= 1, "status --json showed a waiting copy while it waited");
    assert.match(waitingSeen[0]!, /host-wide disk copies 1\/1 busy/);
    assert.ok(listedWaiting.length >= 1, "list --json showed the waiting migration (the page's list reads it)");
    assert.match(listedWaiting[0]!, /^fleet0[12]: host-wide disk copies 1\/1 busy/);
    const slotEvents = runs.flatMap((r) => r.events.filter((e) => e.type === "log" && e.slot !== undefined).map((e) => e.slot));
    assert.ok(slotEvents.includes("waiting") && slotEvents.includes("granted"), `slot events: ${slotEvents.join(",")}`);

    // 8 MB/s for the whole host: 4 disks x 16 MiB of data (base) take at least ~8 s
    const copied = runs.reduce((s, r) => s + r.result.data.lastRound.changedBytes, 0);
    process.stderr.write(`copy slots: 2 migrations, host cap 1 disk, bwlimit 8 MB/s: ${seconds.toFixed(1)} s\n`);
    assert.ok(seconds >= 7, `the host bandwidth limit held (took ${seconds} s)`);
    assert.equal(copied, 0, "an idle guest changes nothing between rounds");

    for (const [i, vm] of vms.entries()) {
      const m = readManifestFile(wds[i]!);
      for (const [n, d] of m.disks.entries()) {
        assert.equal(await hashImage(d.target.path, d.target.format), await labHash(lab, vm, n), `${vm} disk ${n} byte-identical`);
      }
    }
    assert.equal(slotHolders(slots, "disks").length, 0, "every slot was released");
  },
);

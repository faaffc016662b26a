// A source connection that breaks mid-sync (the datastore's HTTP connection reset, nbdkit killed) is
// retried by the helper with backoff, each attempt logged in events.log; the sync ends byte-identical.
// A reset that persists still fails with NBD_SOURCE_FAILED once the attempts are used up.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  hashImage,
  helper,
  labHash,
  labWrite,
  ok,
  ourSnapshotsOnVm,
  readManifestFile,
  startLab,
  tempDir,
  type Run,
} from "./engine-support";

const MiB = 1024 * 1024;
const ATTEMPT = /source connection failed \((\w+): .*\); attempt (\d) of (\d) in (\d+) s/;

function pids(pattern: string): number[] {
  const r = spawnSync("pgrep", ["-f", pattern], { encoding: "utf8" });
  return r.stdout.split("\n").filter(Boolean).map(Number);
}

/** The retry lines of a run's events: [code, attempt, attempts, delay s]. */
function attempts(r: Run): [string, number, number, number][] {
  return r.events
    .filter((e) => e.type === "log" && ATTEMPT.test(e.message ?? ""))
    .map((e) => {
      const m = ATTEMPT.exec(e.message)!;
      return [m[1]!, Number(m[2]), Number(m[3]), Number(m[4])];
    });
}

test("source connection resets are retried with backoff", { timeout: 900_000 }, async (t) => {
  const lab = await startLab(t);
  const env = lab.env;
  const base = tempDir(t, "v2k-source-retry-");
  const dst = join(base, "dst");
  mkdirSync(dst);
  const W = join(base, "wd");
  const wd = ["--workdir", W];
  const fault = (how: "--count" | "--ms", n: number, bytes = MiB) =>
    ok(["lab", "fault", "--dir", lab.dir, "--kind", "connection-reset", how, String(n), "--bytes", String(bytes)]);
  const identical = async () => {
    const d = readManifestFile(W).disks[0];
    assert.equal(await hashImage(d.target.path, d.target.format), await labHash(lab, "win01", 0), "byte-identical");
  };
  const eventsLog = () => readFileSync(join(W, "events.log"), "utf8");
  await ok([...wd, "init", "--vm", "win01", "--dst", dst], { env });
  await ok([...wd, "cbt", "enable"], { env });
  await ok([...wd, "sync", "base"], { env });

  await t.test("one reset: absorbed by nbdkit's own short retry", async () => {
    await labWrite(lab, "win01", 0, 300 * MiB, 16 * MiB, 1);
    await fault("--count", 1);
    const r = await helper([...wd, "sync", "incr"], { env });
    assert.equal(r.result.ok, true, JSON.stringify(r.result));
    assert.equal((await ok(["lab", "inventory", "--dir", lab.dir])).faults.connectionResets, 0, "the reset struck");
    await identical();
  });

  await t.test("an outage longer than nbdkit's retries: the helper tries again after a backoff, logged with the attempt", async () => {
    await labWrite(lab, "win01", 0, 700 * MiB, 16 * MiB, 2);
    // every datastore read is reset for 6 s from the copy's first (nbdkit gives up after 1 + 2 s)
    await fault("--ms", 6000);
    const r = await helper([...wd, "sync", "incr"], { env });
    assert.equal(r.result.ok, true, JSON.stringify(r.result));
    const tries = attempts(r);
    assert.ok(tries.length >= 1, "a retry happened");
    assert.deepEqual(tries[0], ["NBD_SOURCE_FAILED", 2, 4, 1]);
    assert.match(eventsLog(), /attempt 2 of 4 in 1 s/, "events.log has the attempt");
    await identical();
  });

  await t.test("nbdkit killed mid-copy: a new nbdkit, the copy completes", async () => {
    await labWrite(lab, "win01", 0, 1024 * MiB, 192 * MiB, 3);
    const ours = `nbdkit.*curl.*${new URL(lab.url).host}`;
    let killed = 0;
    const r = await helper([...wd, "sync", "incr", "--jobs", "1", "--chunk", "64K"], {
      env,
      onSpawn: () => {
        void (async () => {
          // once nbdkit has served for a moment (the copy runs), not while it starts
          let seenAt = 0;
          for (const deadline = Date.now() + 60_000; Date.now() < deadline && killed === 0;) {
            const found = pids(ours);
            if (found.length > 0 && seenAt === 0) seenAt = Date.now();
            if (found.length > 0 && Date.now() - seenAt >= 1000) {
              for (const p of found) process.kill(p, "SIGKILL");
              killed = found.length;
            }
            await new Promise((res) => setTimeout(res, 50));
          }
        })();
      },
    });
    assert.ok(killed > 0, "nbdkit was found and killed");
    assert.equal(r.result.ok, true, JSON.stringify(r.result));
    assert.equal(attempts(r)[0]?.[1], 2, "retried as attempt 2");
    await identical();
  });

  await t.test("vCenter session expiry mid-copy: logged in again within seconds (not nbdkit's old ~60 s wait)", async () => {
    await labWrite(lab, "win01", 0, 1024 * MiB, 128 * MiB, 5);
    let expiredAt = 0;
    // events.log holds the earlier rounds' "changed areas" lines: wait for this round's
    const changedAreaLines = () => eventsLog().match(/changed areas/g)?.length ?? 0;
    const earlierRounds = changedAreaLines();
    // paced to 8 MB/s: the copy outlasts the fault's injection on a busy host
    const r = await helper([...wd, "sync", "incr", "--bwlimit", "8"], {
      env,
      onSpawn: () => {
        void (async () => {
          // expire the session once this round's copy runs (events.log says so), never before its login
          for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
            if (changedAreaLines() > earlierRounds) {
              await new Promise((res) => setTimeout(res, 500));
              await ok(["lab", "fault", "--dir", lab.dir, "--kind", "session-expiry"]);
              expiredAt = Date.now();
              return;
            }
            await new Promise((res) => setTimeout(res, 100));
          }
        })();
      },
    });
    assert.equal(r.result.ok, true, JSON.stringify(r.result));
    assert.ok(expiredAt > 0, "the session was expired mid-copy");
    const relogin = r.events.find((e) => e.type === "log" && /session expired during the copy; logged in again/.test(e.message ?? ""));
    const logs = r.events.filter((e) => e.type === "log").map((e) => e.message);
    assert.ok(relogin, `the re-login is reported: ${JSON.stringify(logs)}`);
    const delay = (Date.parse(relogin.ts) - expiredAt) / 1000;
    console.log(`# session expiry -> re-login: ${delay.toFixed(1)} s`);
    assert.ok(delay < 15, `re-login after ${delay.toFixed(1)} s (limit 15 s)`);
    assert.deepEqual(attempts(r), [], "no backoff retry: the new login retried at once");
    await identical();
  });

  await t.test("a reset that persists: NBD_SOURCE_FAILED after the attempts, nothing committed; the re-run completes", async () => {
    const before = readManifestFile(W).disks[0].syncedChangeId;
    await labWrite(lab, "win01", 0, 1500 * MiB, 16 * MiB, 4);
    await fault("--count", 1000, 0);
    const started = Date.now();
    const r = await helper([...wd, "sync", "incr"], { env });
    const secs = (Date.now() - started) / 1000;
    assert.equal(r.status, 1);
    assert.equal(r.result.error?.code, "NBD_SOURCE_FAILED", JSON.stringify(r.result));
    assert.ok(r.result.error.hint.length > 10);
    assert.deepEqual(
      attempts(r).map((a) => [a[1], a[3]]),
      [
        [2, 1],
        [3, 2],
        [4, 4],
      ],
      "three retries, backoff doubling",
    );
    console.log(`# persistent reset: failed after ${attempts(r).length + 1} attempts in ${secs.toFixed(1)} s`);
    const m = readManifestFile(W);
    assert.equal(m.disks[0].syncedChangeId, before, "the changeId did not advance");
    assert.equal(m.rounds.at(-1).status, "failed");
    assert.deepEqual(await ourSnapshotsOnVm(lab, "win01"), []);
    await fault("--count", 0);
    await ok([...wd, "sync", "incr"], { env });
    await identical();
  });
});

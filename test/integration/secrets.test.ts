// Secrets during real migrations against the lab: the vCenter password and the session cookie never
// show in any process's argv (/proc/*/cmdline), in the environment of our processes, in events.log,
// manifest.json, run.log or the output; nbdkit's secret files are 0600 in 0700 directories and gone
// afterwards. A vCenter whose certificate changed stops the run (TLS_UNTRUSTED); --insecure is
// recorded; the lab's datastore answers only a live session.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { hashImage, labHash, labWrite, ok, ourSnapshotsOnVm, readManifestFile, tempDir, type Lab } from "./engine-support";
import { startHelper, waitFor } from "../support/helper-process";
import { labRequest, soapCall, soapLogin, startTestLab, type TestLab } from "../support/lab";

const MiB = 1024 * 1024;

interface ProcInfo {
  pid: number;
  ppid: number;
  cmdline: string;
}

function processes(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      out.push({ pid: Number(d), ppid, cmdline: readFileSync(`/proc/${d}/cmdline`, "utf8").replace(/\0/g, " ") });
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

function descendants(all: ProcInfo[], roots: number[]): ProcInfo[] {
  const found = new Set(roots);
  for (let grew = true; grew;) {
    grew = false;
    for (const p of all) if (!found.has(p.pid) && found.has(p.ppid)) grew = found.add(p.pid) !== undefined;
  }
  return all.filter((p) => found.has(p.pid));
}

/** What the scan saw while a command ran: kinds of our processes, and every place a secret showed. */
interface Scan {
  seen: Set<string>;
  leaks: string[];
  scans: number;
}

const KINDS: [RegExp, string][] = [
  [/^(\S*\/)?nbdkit /, "nbdkit"],
  [/^(\S*\/)?qemu-nbd /, "qemu-nbd"],
  [/v2k_bridge\.py/, "python bridge"],
  [/ablestack_v2k/, "helper"],
];
const kindOf = (cmd: string) => KINDS.find(([re]) => re.test(cmd))?.[1] ?? "other";

/**
 * Polls /proc until stop() says so: every process's argv, and the environment of the processes under
 * `roots()` (our children; with `rootEnvToo` the roots' own environment as well).
 */
function scanWhile(secrets: () => string[], roots: () => number[], opts: { rootEnvToo: boolean }): { stop(): Promise<Scan> } {
  const scan: Scan = { seen: new Set(), leaks: [], scans: 0 };
  let running = true;
  const loop = (async () => {
    while (running) {
      const all = processes();
      const values = secrets().filter((s) => s.length >= 8);
      for (const p of all)
        for (const s of values) if (p.cmdline.includes(s)) scan.leaks.push(`argv of ${p.pid} (${p.cmdline.slice(0, 80)})`);
      const rootPids = roots();
      for (const p of descendants(all, rootPids)) {
        scan.seen.add(kindOf(p.cmdline));
        if (!opts.rootEnvToo && rootPids.includes(p.pid)) continue;
        let env = "";
        try {
          env = readFileSync(`/proc/${p.pid}/environ`, "utf8");
        } catch {
          continue;
        }
        for (const s of values) if (env.includes(s)) scan.leaks.push(`environment of ${p.pid} (${p.cmdline.slice(0, 80)})`);
      }
      scan.scans++;
      await new Promise((r) => setTimeout(r, 40));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return scan;
    },
  };
}

/** A wrapper named nbdkit, first on PATH: notes each +FILE secret (mode, directory mode, content), then runs nbdkit. */
function nbdkitWrapper(bin: string, log: string): void {
  const real = spawnSync("sh", ["-c", "command -v nbdkit"], { encoding: "utf8" }).stdout.trim();
  assert.ok(real, "nbdkit is installed");
  mkdirSync(bin, { recursive: true });
  mkdirSync(log, { recursive: true, mode: 0o700 });
  writeFileSync(
    join(bin, "nbdkit"),
    `#!/bin/sh
for a in "$@"; do
  case "$a" in
    *=+*) f="\${a#*=+}"; n=$(date +%s%N)
      cp "$f" "${log}/secret-$$-$n"
      echo "$(stat -c '%a %U' "$f") $(stat -c %a "$(dirname "$f")") $f" >> "${log}/files" ;;
  esac
done
exec ${real} "$@"
`,
    { mode: 0o755 },
  );
}

/** Session ids that reached nbdkit (cookie files hold vmware_soap_session="ID"). */
function cookiesSeen(log: string): string[] {
  if (!existsSync(log)) return [];
  return readdirSync(log)
    .filter((f) => f.startsWith("secret-"))
    .map((f) => /vmware_soap_session="?([^";\s]+)/.exec(readFileSync(join(log, f), "utf8"))?.[1])
    .filter((x): x is string => x !== undefined);
}

function secretFilesNoted(log: string): { mode: string; owner: string; dirMode: string; path: string }[] {
  const file = join(log, "files");
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .trim()
    .split("\n")
    .map((l) => {
      const [mode, owner, dirMode, ...path] = l.split(" ");
      return { mode: mode!, owner: owner!, dirMode: dirMode!, path: path.join(" ") };
    });
}

function assertNoSecretIn(what: string, text: string, secrets: string[]): void {
  for (const s of secrets) assert.equal(text.includes(s), false, `a secret shows in ${what}`);
}

test(
  "secrets stay out of argv, environments, logs and the manifest; a changed certificate stops the run",
  { timeout: 900_000 },
  async (t) => {
    const tl: TestLab = await startTestLab({ scenario: "minimal" });
    t.after(() => tl.stop());
    const base = tempDir(t, "v2k-secrets-");
    const tmp = join(base, "tmp");
    mkdirSync(tmp, { mode: 0o700 });
    const log = join(base, "nbdkit-secrets");
    nbdkitWrapper(join(base, "bin"), log);
    const labEnv = () => ({
      GOVC_URL: tl.url,
      GOVC_USERNAME: tl.username,
      GOVC_PASSWORD: tl.password,
      GOVC_THUMBPRINT: tl.thumbprint,
      GOVC_INSECURE: "",
    });
    const env = { ...labEnv(), TMPDIR: tmp, PATH: `${join(base, "bin")}:${process.env.PATH}` };
    const lab: Lab = { dir: tl.dir, url: tl.url, username: tl.username, password: tl.password, thumbprint: tl.thumbprint, env };
    const secrets = () => [tl.password, ...cookiesSeen(log)];
    const dst = join(base, "dst");
    /** A target directory of its own: init refuses target files another migration of the VM wrote. */
    const freshDst = (name: string) => {
      const d = join(base, `dst-${name}`);
      mkdirSync(d, { recursive: true });
      return d;
    };
    mkdirSync(dst);

    await t.test(
      "a sync: no secret in any argv or in our children's environment; secret files 0600 in 0700 dirs, gone afterwards",
      async () => {
        const W = join(base, "web01");
        await ok(["--workdir", W, "init", "--vm", "web01", "--dst", dst], { env });
        await ok(["--workdir", W, "cbt", "enable"], { env });
        await ok(["--workdir", W, "sync", "base"], { env });
        await labWrite(lab, "web01", 0, 256 * MiB, 192 * MiB, 7);
        const run = startHelper(["--workdir", W, "sync", "incr", "--jobs", "1", "--chunk", "64K"], { env });
        const scan = scanWhile(secrets, () => [run.pid], { rootEnvToo: false });
        const out = await run.done;
        const s = await scan.stop();
        assert.equal(out.result.ok, true, out.stdout.slice(-1000) + out.stderr);
        for (const kind of ["nbdkit", "qemu-nbd", "python bridge"])
          assert.ok(s.seen.has(kind), `the scan saw ${kind} (${[...s.seen]}, ${s.scans} scans)`);
        assert.deepEqual(s.leaks, []);
        assert.ok(cookiesSeen(log).length > 0, "the session cookie reached nbdkit through a file");
        const files = secretFilesNoted(log);
        assert.ok(files.length > 0);
        for (const f of files) {
          assert.equal(f.mode, "600", `${f.path} mode`);
          assert.equal(f.owner, "root");
          assert.equal(f.dirMode, "700", `${f.path}'s directory mode`);
          assert.equal(existsSync(f.path), false, `${f.path} removed`);
        }
        assert.deepEqual(
          readdirSync(tmp).filter((n) => n.startsWith("v2k-nbd-")),
          [],
          "no private directory left",
        );
        const all = secrets();
        assertNoSecretIn("stdout", out.stdout, all);
        assertNoSecretIn("stderr", out.stderr, all);
        assertNoSecretIn("events.log", readFileSync(join(W, "events.log"), "utf8"), all);
        assertNoSecretIn("manifest.json", readFileSync(join(W, "manifest.json"), "utf8"), all);
        const d = readManifestFile(W).disks[0];
        assert.equal(await hashImage(d.target.path, d.target.format), await labHash(lab, "web01", 0));
      },
    );

    await t.test(
      "a detached run: its whole process tree and run.log, events.log, manifest.json, operation.json hold no secret",
      async () => {
        const W = join(base, "boot01-detached");
        const cookiesBefore = cookiesSeen(log).length;
        const args = ["--workdir", W, "run", "--vm", "boot01", "--dst", dst, "--max-rounds", "2", "--interval", "1", "--detach"];
        const launcher = startHelper(args, { env });
        // the detached processes are not our children: find them by the workdir on their command line
        const roots = () =>
          processes()
            .filter((p) => p.cmdline.includes(W) && p.pid !== launcher.pid)
            .map((p) => p.pid);
        const scan = scanWhile(secrets, roots, { rootEnvToo: true });
        const out = await launcher.done;
        assert.equal(out.result.ok, true, out.stdout.slice(-1000) + out.stderr);
        const pid: number = out.result.data.pid;
        await waitFor("the detached run to end", 600_000, () => (existsSync(`/proc/${pid}`) ? undefined : true));
        await new Promise((r) => setTimeout(r, 500)); // its children are gone too
        const s = await scan.stop();
        assert.ok(
          s.seen.has("nbdkit") && s.seen.has("qemu-nbd") && s.seen.has("python bridge"),
          `the scan saw the detached copy (${[...s.seen]})`,
        );
        assert.deepEqual(s.leaks, []);
        assert.ok(cookiesSeen(log).length > cookiesBefore, "the detached run's cookie is among the secrets scanned for");
        const runLog = readFileSync(join(W, "run.log"), "utf8");
        assert.match(runLog, /"type":"result".*"ok":true/, "the detached run finished");
        const all = secrets();
        for (const f of readdirSync(W).filter((x) => /\.(log|json)$/.test(x))) assertNoSecretIn(f, readFileSync(join(W, f), "utf8"), all);
        assertNoSecretIn("the launcher's output", out.stdout + out.stderr, all);
        assert.deepEqual(await ourSnapshotsOnVm(lab, "boot01"), []);
      },
    );

    await t.test("--insecure is recorded in the manifest and in events.log", async () => {
      const W = join(base, "insecure");
      await ok(["--workdir", W, "init", "--vm", "boot01", "--dst", freshDst("insecure"), "--insecure"], {
        env: { ...env, GOVC_THUMBPRINT: "" },
      });
      const m = readManifestFile(W);
      assert.equal(m.vcenter.insecure, true);
      assert.ok(m.warnings.some((w: { code: string }) => w.code === "TLS_INSECURE"));
      assert.match(readFileSync(join(W, "events.log"), "utf8"), /"level":"warn".*insecure/i);
    });

    await t.test("a changed vCenter certificate stops a running migration with TLS_UNTRUSTED; nothing is trusted anew", async () => {
      const W = join(base, "boot01-tls");
      await ok(["--workdir", W, "init", "--vm", "boot01", "--dst", freshDst("tls")], { env });
      await ok(["--workdir", W, "cbt", "enable"], { env });
      await ok(["--workdir", W, "sync", "base"], { env });
      const oldThumbprint = tl.thumbprint;
      // rounds every 20 s that never meet the criterion: the run is between rounds when the certificate changes
      const run = startHelper(["--workdir", W, "run", "--interval", "20", "--max-rounds", "40", "--cutover-when", "bytes<0"], { env });
      const events = join(W, "events.log");
      // once a round is complete (snapshot removed), the run waits 20 s for the next one
      await waitFor("an incremental round of the run", 300_000, () =>
        existsSync(events) && /incremental round \d+: \d+ changed bytes in/.test(readFileSync(events, "utf8")) ? true : undefined,
      );
      rmSync(join(tl.dir, "lab-cert.pem"));
      rmSync(join(tl.dir, "lab-key.pem"));
      await tl.restart();
      assert.notEqual(tl.thumbprint, oldThumbprint, "the lab has a new certificate");
      const out = await run.done;
      const r = out.result;
      assert.equal(r.ok, false, JSON.stringify(r));
      assert.equal(r.error.code, "TLS_UNTRUSTED", JSON.stringify(r.error));
      assert.match(r.error.message + r.error.hint, new RegExp(tl.thumbprint));
      assert.equal(out.status, 1);
      const m = readManifestFile(W);
      assert.equal(m.vcenter.thumbprint, oldThumbprint, "the pinned thumbprint is not replaced");
      assert.equal(m.lastError.code, "TLS_UNTRUSTED");
      assert.match(readFileSync(events, "utf8"), /TLS_UNTRUSTED/);
      // the same command again is refused before anything happens on VMware
      const again = startHelper(["--workdir", W, "sync", "incr"], { env });
      const a = await again.done;
      assert.equal(a.result.error?.code, "TLS_UNTRUSTED");
      assert.deepEqual(await ourSnapshotsOnVm(lab, "boot01"), [], "no migration snapshot left or created");
    });

    await t.test("the lab's datastore answers a live session only: logged out or expired sessions get 401", async () => {
      const inv = await ok(["lab", "inventory", "--dir", tl.dir]);
      const disk = inv.vms.find((v: { name: string }) => v.name === "boot01").disks[0];
      const m = /^\[([^\]]+)\] (.*)\.vmdk$/.exec(disk.fileName)!;
      const path = `/folder/${m[2]}-flat.vmdk?dcPath=${tl.info.datacenter}&dsName=${m[1]}`;
      const read = (cookie?: string) =>
        labRequest(tl, { method: "GET", path, headers: { Range: "bytes=0-511", ...(cookie ? { Cookie: cookie } : {}) } });
      assert.equal((await read()).status, 401, "no session");
      const cookie = await soapLogin(tl);
      assert.equal((await read(cookie)).status, 206, "a live session reads");
      const forged = cookie.replace(/"([^"]+)"/, (_m, id: string) => `"${id.slice(0, -4)}beef"`);
      assert.equal((await read(forged)).status, 401, "a forged session id");
      await soapCall(tl, '<Logout xmlns="urn:vim25"><_this type="SessionManager">SessionManager</_this></Logout>', cookie);
      assert.equal((await read(cookie)).status, 401, "a logged-out session");
      const second = await soapLogin(tl);
      assert.equal((await read(second)).status, 206);
      await ok(["lab", "fault", "--dir", tl.dir, "--kind", "session-expiry"]);
      assert.equal((await read(second)).status, 401, "an expired session");
    });
  },
);

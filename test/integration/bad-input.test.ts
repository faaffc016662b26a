// Bad input, table-driven, through the built CLI against a lab (scenario "names": web01 and VMs named
// with spaces, shell metacharacters, Korean letters and ".."). Every refusal: a stable code with a hint,
// exit 2 for usage and 1 otherwise, one JSON result line, no password in the output, nothing changed
// on VMware, no workdir left by a refused init, and an existing workdir's manifest unchanged except what
// it records about the failure (lastError).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { createServer, type Server } from "node:net";
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { request } from "node:https";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { HELPER, hashImage, labHash, readManifestFile, startLab, type Lab } from "./engine-support";

interface Outcome {
  status: number | null;
  lines: Record<string, any>[];
  result: Record<string, any>;
  stdout: string;
  stderr: string;
}

/** The built helper with --json, in a chosen cwd (where a shell would have left its files). */
function cli(args: string[], opts: { env?: Record<string, string | undefined>; input?: string; cwd?: string } = {}): Promise<Outcome> {
  const env: Record<string, string | undefined> = { ...process.env, ...(opts.env ?? {}) };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k]; // undefined: unset
  return new Promise((resolve, reject) => {
    const child = spawn(HELPER, ["--json", ...args], {
      cwd: opts.cwd,
      env,
      stdio: [opts.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 180_000);
    child.on("error", reject);
    child.on("close", (status) => {
      clearTimeout(timer);
      const lines = stdout
        .split("\n")
        .filter((l) => l.trim() !== "")
        .map((l) => JSON.parse(l) as Record<string, any>);
      resolve({ status, lines, result: lines.at(-1) ?? {}, stdout, stderr });
    });
    if (opts.input !== undefined) {
      child.stdin!.on("error", () => undefined); // the helper may stop reading an oversized stdin
      child.stdin!.end(opts.input);
    }
  });
}

/** What a refusal may not change on VMware: power, CBT, snapshots, disk sizes of every VM. */
function vmwareState(lab: Lab): Promise<string> {
  const info = JSON.parse(readFileSync(join(lab.dir, "lab.json"), "utf8"));
  const auth = Buffer.from(`${lab.username}:${lab.password}`).toString("base64");
  const u = new URL(lab.url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path: "/v2k-lab/inventory",
        headers: { Authorization: `Basic ${auth}` },
        ca: readFileSync(info.certFile),
      },
      (res) => {
        let body = "";
        res.on("data", (d: Buffer) => (body += d.toString()));
        res.on("end", () => {
          const vms = (JSON.parse(body).vms as any[]).map((v) => ({
            name: v.name,
            power: v.powerState,
            cbt: v.changeTrackingEnabled,
            consolidation: v.consolidationNeeded,
            snapshots: v.snapshots.map((s: { moref: string }) => s.moref),
            disks: v.disks.map((d: { capacityBytes: number }) => d.capacityBytes),
          }));
          resolve(JSON.stringify(vms));
        });
      },
    );
    req.on("error", reject);
    req.end();
  });
}

interface Case {
  name: string;
  args: string[];
  code: string;
  env?: Record<string, string | undefined>;
  input?: string;
  /** A workdir the command must not create. */
  noWorkdir?: string;
  /** An existing workdir whose manifest may change only in lastError/updatedAt. */
  workdir?: string;
  /** The message or hint must say this. */
  says?: RegExp;
  /** Extra checks after the run. */
  check?: (o: Outcome) => void;
}

const stripVolatile = (text: string) => {
  const m = JSON.parse(text);
  delete m.lastError;
  delete m.updatedAt;
  return JSON.stringify(m);
};

async function refused(lab: Lab, c: Case, cwd: string): Promise<void> {
  const before = await vmwareState(lab);
  const manifestBefore =
    c.workdir && existsSync(join(c.workdir, "manifest.json")) ? readFileSync(join(c.workdir, "manifest.json"), "utf8") : undefined;
  const o = await cli(c.args, { env: { ...lab.env, ...(c.env ?? {}) }, cwd, ...(c.input === undefined ? {} : { input: c.input }) });
  const r = o.result;
  assert.equal(r.type, "result", `one result line: ${o.stdout.slice(-800)} ${o.stderr.slice(-800)}`);
  assert.equal(o.lines.filter((l) => l.type === "result").length, 1, "exactly one result line");
  assert.equal(r.ok, false, `refused: ${JSON.stringify(r)}`);
  assert.equal(r.error.code, c.code, `code: ${JSON.stringify(r.error)}`);
  assert.ok(typeof r.error.hint === "string" && r.error.hint.length > 10, `a hint: ${JSON.stringify(r.error)}`);
  assert.equal(o.status, c.code === "USAGE" ? 2 : 1, "exit status");
  if (c.says) assert.match(`${r.error.message} ${r.error.hint}`, c.says);
  assert.doesNotMatch(o.stdout + o.stderr, new RegExp(lab.password), "the password never shows");
  assert.equal(await vmwareState(lab), before, "nothing changed on VMware");
  if (c.noWorkdir) assert.equal(existsSync(c.noWorkdir), false, "no workdir left by a refused init");
  if (manifestBefore !== undefined) {
    const after = readFileSync(join(c.workdir!, "manifest.json"), "utf8");
    if (c.code === "MANIFEST_CORRUPT" || c.code === "MANIFEST_VERSION" || c.code === "WORKDIR_FOREIGN" || c.code === "WORKDIR_INVALID") {
      assert.equal(after, manifestBefore, "a manifest the helper refused to use is left byte for byte");
    } else {
      assert.equal(stripVolatile(after), stripVolatile(manifestBefore), "only lastError may change");
    }
  }
  c.check?.(o);
}

/** A port that speaks something other than TLS (an SSH banner), as a wrong --vcenter port would. */
async function bannerServer(servers: Server[]): Promise<number> {
  const server: Server = createServer((s) => s.end("SSH-2.0-OpenSSH_9.2\r\n"));
  server.unref();
  await new Promise<void>((r) => server.listen(0, "127.0.0.2", r));
  servers.push(server);
  return (server.address() as { port: number }).port;
}

function mountTmpfs(dir: string, opts: string): void {
  mkdirSync(dir, { recursive: true });
  const r = spawnSync("mount", ["-t", "tmpfs", "-o", opts, "tmpfs", dir], { encoding: "utf8" });
  assert.equal(r.status, 0, `mount tmpfs ${opts}: ${r.stderr}`);
}

const PWNED = "v2k-pwned";

/** No shell ran a name: no file of exactly that name where a shell would have written it. */
function assertNoShellRan(trees: string[], flat: string[] = ["/", "/tmp"]): void {
  const hits = [
    ...trees.filter(existsSync).flatMap((d) =>
      readdirSync(d, { recursive: true })
        .map(String)
        .map((f) => join(d, f)),
    ),
    ...flat.flatMap((d) => readdirSync(d).map((f) => join(d, f))),
  ].filter((f) => f.endsWith(`/${PWNED}`));
  assert.deepEqual(hits, [], "a shell ran a name");
}

test(
  "bad input: each refusal has a stable code and a hint, changes nothing, and no name reaches a shell",
  { timeout: 900_000 },
  async (t) => {
    const lab = await startLab(t, "names");
    const base = mkdtempSync(join(tmpdir(), "v2k-bad-input-"));
    const mounts: string[] = [];
    const servers: Server[] = [];
    // one hook, in this order: servers, mounts, then the directory holding them
    t.after(() => {
      for (const s of servers) s.close(); // not awaited: a peer that vanished mid-handshake may never say goodbye
      for (const m of mounts.reverse()) spawnSync("umount", ["-l", m]);
      rmSync(base, { recursive: true, force: true });
    });
    const cwd = join(base, "cwd");
    const dst = join(base, "dst");
    mkdirSync(cwd);
    mkdirSync(dst);
    let n = 0;
    const wd = () => join(base, `wd-${n++}`);
    const vm = "데이터베이스 ü 01"; // 64 MiB
    const init = (w: string, extra: string[] = [], name = vm) => ["--workdir", w, "init", "--vm", name, "--dst", dst, ...extra];
    const fresh = (name: string, extra: string[], code: string, more: Partial<Case> & { vmName?: string } = {}): Case => {
      const w = wd();
      const { vmName, ...rest } = more;
      return { name, args: init(w, extra, vmName), code, noWorkdir: w, ...rest };
    };

    // an initialised workdir per manifest case (init only: nothing on VMware yet)
    const initialised = async (): Promise<string> => {
      const w = wd();
      const o = await cli(init(w), { env: lab.env, cwd });
      assert.equal(o.result.ok, true, JSON.stringify(o.result));
      return w;
    };
    const withManifest = async (mutate: (text: string) => string | Buffer): Promise<string> => {
      const w = await initialised();
      writeFileSync(join(w, "manifest.json"), mutate(readFileSync(join(w, "manifest.json"), "utf8")));
      return w;
    };

    const ro = join(base, "ro");
    mountTmpfs(ro, "size=1G,ro");
    mounts.push(ro);
    const full = join(base, "full");
    mountTmpfs(full, "size=1M");
    mounts.push(full);
    spawnSync("fallocate", ["-l", "1M", join(full, "filler")]);
    const fileDst = join(base, "a-file");
    writeFileSync(fileDst, "not a directory");
    const wrongKnownHosts = join(base, "known_hosts");
    const labHostPort = new URL(lab.url).host;
    writeFileSync(wrongKnownHosts, `${labHostPort} 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33\n`);
    const passwordFile = join(base, "password");
    writeFileSync(passwordFile, `${lab.password}\n`, { mode: 0o600 });
    const banner = await bannerServer(servers);

    const shared = await initialised();
    chmodSync(shared, 0o777);
    const foreignOwned = await initialised();
    chownSync(foreignOwned, 65534, 65534);
    const sharedTarget = await initialised();
    chmodSync(sharedTarget, 0o775);
    const linkToShared = join(base, "link-to-shared");
    symlinkSync(sharedTarget, linkToShared);
    const aFile = join(base, "workdir-is-a-file");
    writeFileSync(aFile, "x");

    const cases: Case[] = [
      // vCenter URLs
      fresh("URL that is no URL", ["--vcenter", "not a url"], "USAGE"),
      fresh("URL with another scheme", ["--vcenter", "ftp://vc.example/sdk"], "USAGE", { says: /https/ }),
      fresh("plain http URL", ["--vcenter", `http://${labHostPort}/sdk`], "USAGE", { says: /https/ }),
      fresh("URL without a host", ["--vcenter", "https://"], "USAGE"),
      fresh("URL with port 99999", ["--vcenter", "https://127.0.0.2:99999/sdk"], "USAGE"),
      fresh("URL with a broken IPv6 literal", ["--vcenter", "https://[::1/sdk"], "USAGE"),
      fresh("URL whose host does not resolve", ["--vcenter", "https://no-such-host.invalid/sdk"], "VCENTER_UNREACHABLE", {
        says: /no-such-host\.invalid/,
      }),
      fresh("URL on a port that does not speak TLS", ["--vcenter", `https://127.0.0.2:${banner}/sdk`], "VCENTER_UNREACHABLE"),
      // VM names
      fresh("unknown VM name with a space", [], "VM_NOT_FOUND", { vmName: "web 01" }),
      fresh("VM name in the wrong case", [], "VM_NOT_FOUND", { vmName: "WEB01" }),
      fresh("VM name with $( )", [], "VM_NOT_FOUND", { vmName: `$(id>${PWNED})` }),
      fresh("VM name with backticks, ; | & and quotes", [], "VM_NOT_FOUND", { vmName: `\`id>${PWNED}\`;id>${PWNED}|id&'"` }),
      fresh("unknown VM name in Unicode", [], "VM_NOT_FOUND", { vmName: "wéb01 日本 🙂" }),
      fresh("VM name with a newline", [], "VM_NOT_FOUND", { vmName: "web01\nweb01" }),
      fresh("VM name of 20000 characters", [], "VM_NOT_FOUND", { vmName: "a".repeat(20000) }),
      fresh("empty VM name", [], "USAGE", { vmName: "" }),
      fresh("--vm given twice", ["--vm", "web01"], "USAGE", { says: /--vm given more than once/ }),
      // credentials and thumbprints
      fresh("wrong user name", ["--username", "nobody@vsphere.local"], "LOGIN_FAILED"),
      fresh("empty password on stdin", ["--password-stdin"], "USAGE", { input: "", env: { GOVC_PASSWORD: "" } }),
      fresh("missing password file", ["--password-file", join(base, "missing")], "USAGE"),
      fresh("password file and stdin at once", ["--password-file", passwordFile, "--password-stdin"], "USAGE", {
        input: `${lab.password}\n`,
      }),
      fresh("oversized stdin (2 MiB)", ["--password-stdin"], "USAGE", { input: "x".repeat(2 * 1024 * 1024), says: /stdin/ }),
      fresh("a 5000-byte password", ["--password-stdin"], "USAGE", { input: `${"p".repeat(5000)}\n`, says: /5000 bytes/ }),
      fresh("malformed --thumbprint", ["--thumbprint", "zz:top"], "USAGE", { says: /SHA-1/ }),
      fresh("--thumbprint and --insecure", ["--thumbprint", lab.thumbprint, "--insecure"], "USAGE"),
      fresh("known-hosts line with another thumbprint", [], "TLS_UNTRUSTED", {
        env: { GOVC_THUMBPRINT: undefined, GOVC_TLS_KNOWN_HOSTS: wrongKnownHosts },
        says: new RegExp(`${lab.thumbprint} differs from the pinned 00:11`),
      }),
      fresh("known-hosts file missing", [], "USAGE", { env: { GOVC_THUMBPRINT: undefined, GOVC_TLS_KNOWN_HOSTS: join(base, "nope") } }),
      fresh("empty GOVC_THUMBPRINT counts as unset: the known-hosts line still decides", [], "TLS_UNTRUSTED", {
        env: { GOVC_THUMBPRINT: "", GOVC_TLS_KNOWN_HOSTS: wrongKnownHosts },
        says: /differs from the pinned 00:11/,
      }),
      // DST
      {
        name: "DST on a read-only filesystem",
        args: ["--workdir", join(base, "w-ro"), "init", "--vm", vm, "--dst", ro],
        code: "TARGET_IO",
        noWorkdir: join(base, "w-ro"),
        says: /read-write|EROFS/,
      },
      {
        name: "DST on a full filesystem",
        args: ["--workdir", join(base, "w-full"), "init", "--vm", vm, "--dst", full],
        code: "DST_TOO_SMALL",
        noWorkdir: join(base, "w-full"),
      },
      {
        name: "DST is a file",
        args: ["--workdir", join(base, "w-file"), "init", "--vm", vm, "--dst", fileDst],
        code: "DST_MISSING",
        noWorkdir: join(base, "w-file"),
      },
      // workdirs
      { name: "workdir on a read-only filesystem", args: init(join(ro, "w")), code: "WORKDIR_INVALID", noWorkdir: join(ro, "w") },
      {
        name: "workdir on a full filesystem",
        args: init(join(full, "w")),
        code: "WORKDIR_INVALID",
        noWorkdir: join(full, "w"),
        says: /Free space/,
      },
      { name: "workdir that is a file", args: init(aFile), code: "WORKDIR_INVALID" },
      {
        name: "workdir writable by everyone",
        args: ["--workdir", shared, "cbt", "enable"],
        code: "WORKDIR_INVALID",
        workdir: shared,
        says: /chmod 700/,
      },
      {
        name: "workdir owned by another user",
        args: ["--workdir", foreignOwned, "sync", "base"],
        code: "WORKDIR_INVALID",
        workdir: foreignOwned,
        says: /uid 65534/,
      },
      {
        name: "symlinked workdir whose target is group-writable",
        args: ["--workdir", linkToShared, "cbt", "enable"],
        code: "WORKDIR_INVALID",
        workdir: sharedTarget,
      },
      { name: "--workdir given twice", args: ["--workdir", shared, "--workdir", foreignOwned, "status"], code: "USAGE" },
      // command lines
      { name: "unknown option", args: init(wd(), ["--bogus"]), code: "USAGE" },
      { name: "unknown command (still one JSON result line)", args: ["frobnicate"], code: "USAGE" },
      { name: "--workdir without a value", args: ["status", "--workdir"], code: "USAGE" },
      { name: "unknown sync kind", args: ["--workdir", shared, "sync", "everything"], code: "USAGE" },
      {
        name: "conflicting --target-storage and --target-mode",
        args: init(wd(), ["--target-storage", "file", "--target-mode", "rbd"]),
        code: "USAGE",
      },
      { name: "a negative --samples", args: ["--workdir", shared, "verify", "--mode", "quick", "--samples", "-5"], code: "USAGE" },
      { name: "--jobs 0", args: ["--workdir", shared, "sync", "incr", "--jobs", "0"], code: "USAGE" },
      { name: "nonsense --cutover-when", args: ["run", "--vm", vm, "--dst", dst, "--cutover-when", "soon"], code: "USAGE" },
    ];
    // manifests
    const future = await withManifest((s) => JSON.stringify({ ...JSON.parse(s), schemaVersion: 99 }));
    const zeroVersion = await withManifest((s) => JSON.stringify({ ...JSON.parse(s), schemaVersion: 0 }));
    const noDisks = await withManifest((s) => {
      const m = JSON.parse(s);
      delete m.disks;
      return JSON.stringify(m);
    });
    const wrongTypes = await withManifest((s) => JSON.stringify({ ...JSON.parse(s), rounds: "many" }));
    const array = await withManifest(() => "[1, 2, 3]");
    const empty = await withManifest(() => "");
    const binary = await withManifest(() => Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x7b, 0x80]));
    const otherKind = await withManifest((s) => JSON.stringify({ ...JSON.parse(s), kind: "something-else" }));
    cases.push(
      {
        name: "manifest from a future helper (schemaVersion 99)",
        args: ["--workdir", future, "cbt", "enable"],
        code: "MANIFEST_VERSION",
        workdir: future,
        says: /99/,
      },
      {
        name: "manifest with schemaVersion 0",
        args: ["--workdir", zeroVersion, "sync", "base"],
        code: "MANIFEST_CORRUPT",
        workdir: zeroVersion,
      },
      {
        name: "manifest without disks",
        args: ["--workdir", noDisks, "cbt", "enable"],
        code: "MANIFEST_CORRUPT",
        workdir: noDisks,
        says: /disks/,
      },
      {
        name: "manifest with a wrong field type",
        args: ["--workdir", wrongTypes, "status"],
        code: "MANIFEST_CORRUPT",
        workdir: wrongTypes,
        says: /rounds/,
      },
      { name: "manifest that is a JSON array", args: ["--workdir", array, "sync", "incr"], code: "MANIFEST_CORRUPT", workdir: array },
      { name: "empty manifest", args: ["--workdir", empty, "cutover"], code: "MANIFEST_CORRUPT", workdir: empty },
      { name: "binary manifest", args: ["--workdir", binary, "rollback"], code: "MANIFEST_CORRUPT", workdir: binary },
      { name: "manifest of another tool", args: ["--workdir", otherKind, "cleanup"], code: "WORKDIR_FOREIGN", workdir: otherKind },
    );
    assert.ok(cases.length >= 30, `${cases.length} cases`);

    for (const c of cases) await t.test(c.name, () => refused(lab, c, cwd));

    await t.test("no name reached a shell", () => assertNoShellRan([cwd, base]));

    await t.test("a truncated or garbled events.log: commands still work and the sequence continues", async () => {
      const w = await initialised();
      const log = join(w, "events.log");
      const text = readFileSync(log, "utf8");
      const lastSeq = Math.max(
        ...text
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l).seq),
      );
      writeFileSync(log, text.slice(0, text.length - 25)); // cut inside the last line
      const status = await cli(["--workdir", w, "status"], { env: lab.env, cwd });
      assert.equal(status.result.ok, true, JSON.stringify(status.result));
      await refused(lab, { name: "sync before cbt", args: ["--workdir", w, "sync", "base"], code: "CBT_NOT_ACTIVE", workdir: w }, cwd);
      const lines = readFileSync(log, "utf8").trim().split("\n");
      const parsed = lines.flatMap((l) => {
        try {
          return [JSON.parse(l)];
        } catch {
          return [];
        }
      });
      assert.equal(parsed.length, lines.length - 1, "only the torn line does not parse");
      const seqs = parsed.map((e) => e.seq as number);
      assert.ok(
        seqs.every((v, i) => i === 0 || v > seqs[i - 1]!),
        `numbering continues: ${seqs.join(",")}`,
      );
      assert.ok(seqs.at(-1)! >= lastSeq);
      assert.equal(readManifestFile(w).lastError.code, "CBT_NOT_ACTIVE", "the manifest says what failed");
      writeFileSync(log, Buffer.from([0x00, 0xff, 0x0a, 0x7b, 0x7b]));
      const again = await cli(["--workdir", w, "status"], { env: lab.env, cwd });
      assert.equal(again.result.ok, true, JSON.stringify(again.result));
    });

    await t.test("relative and symlinked workdirs and DST are resolved once and work from anywhere", async () => {
      mkdirSync(join(cwd, "rel-dst"));
      const o = await cli(["--workdir", "rel-wd", "init", "--vm", vm, "--dst", "rel-dst"], { env: lab.env, cwd });
      assert.equal(o.result.ok, true, JSON.stringify(o.result));
      assert.equal(o.result.data.workdir, join(cwd, "rel-wd"));
      assert.equal(readManifestFile(join(cwd, "rel-wd")).disks[0].target.path.startsWith(join(cwd, "rel-dst") + "/"), true);
      const link = join(base, "link-wd");
      symlinkSync(join(cwd, "rel-wd"), link);
      const s = await cli(["--workdir", link, "status"], { env: lab.env, cwd: "/" });
      assert.equal(s.result.ok, true, JSON.stringify(s.result));
      assert.equal(s.result.data.phase, "initialized");
    });

    await t.test("hostile lab replies: a cut-off SOAP document is VSPHERE_FAULT; no workdir is made", async () => {
      const arm = await cli(["lab", "fault", "--dir", lab.dir, "--kind", "malformed-reply", "--count", "1"]);
      assert.equal(arm.result.ok, true);
      const w = wd();
      await refused(lab, { name: "malformed SOAP", args: init(w), code: "VSPHERE_FAULT", noWorkdir: w }, cwd);
    });

    await t.test(
      "hostile lab replies: an extent petabytes past the disk is QCDA_INCOMPLETE; nothing is committed, the snapshot goes",
      async () => {
        const w = await initialised();
        assert.equal((await cli(["--workdir", w, "cbt", "enable"], { env: lab.env, cwd })).result.ok, true);
        assert.equal((await cli(["lab", "fault", "--dir", lab.dir, "--kind", "absurd-extents", "--count", "1"])).result.ok, true);
        const o = await cli(["--workdir", w, "sync", "base"], { env: lab.env, cwd });
        assert.equal(o.result.error?.code, "QCDA_INCOMPLETE", JSON.stringify(o.result));
        assert.ok(o.result.error.hint.length > 10);
        const m = readManifestFile(w);
        assert.equal(m.disks[0].syncedChangeId, null, "nothing committed");
        assert.equal(m.rounds.at(-1).status, "failed");
        assert.equal(m.lastError.code, "QCDA_INCOMPLETE");
        const snaps = JSON.parse(await vmwareState(lab)).find((v: { name: string }) => v.name === vm).snapshots;
        assert.deepEqual(snaps, [], "the round's snapshot was removed");
        // the same extent in an incremental round: that disk is copied in full instead, byte-identical
        assert.equal((await cli(["--workdir", w, "sync", "base"], { env: lab.env, cwd })).result.ok, true);
        await cli(["lab", "write", "--dir", lab.dir, "--vm", vm, "--disk", "0", "--offset", "20M", "--length", "1M", "--seed", "5"]);
        assert.equal((await cli(["lab", "fault", "--dir", lab.dir, "--kind", "absurd-extents", "--count", "1"])).result.ok, true);
        const incr = await cli(["--workdir", w, "sync", "incr"], { env: lab.env, cwd });
        assert.equal(incr.result.ok, true, JSON.stringify(incr.result));
        assert.ok(
          readManifestFile(w).warnings.some((x: { code: string }) => x.code === "DISK_REBASE"),
          "the rebase is a recorded warning",
        );
        const d = readManifestFile(w).disks[0];
        assert.equal(await hashImage(d.target.path, d.target.format), await labHash(lab, vm, 0));
      },
    );

    await t.test(
      "VMs named with metacharacters, Korean letters and '..' migrate as data: byte-identical, nothing run, paths stay inside",
      async () => {
        const state = join(base, "state");
        const odd = join(base, `dst $(id>${PWNED}) ;'"`);
        mkdirSync(odd);
        const names = JSON.parse(readFileSync(join(lab.dir, "lab.json"), "utf8"))
          .vms.map((v: { name: string }) => v.name)
          .filter((x: string) => x !== "web01");
        assert.equal(names.length, 3);
        for (const name of names) {
          const env = { ...lab.env, V2K_STATE_DIR: state };
          const i = await cli(["init", "--vm", name, "--dst", odd], { env, cwd });
          assert.equal(i.result.ok, true, JSON.stringify(i.result));
          const w: string = i.result.data.workdir;
          assert.ok(w.startsWith(state + "/") && !w.slice(state.length).split("/").includes(".."), `workdir ${w} inside ${state}`);
          assert.equal(readManifestFile(w).vm.name, name, "the name is kept as given");
          if (name === "..") continue; // its workdir path is the point; the copy is the same as the others'
          assert.equal((await cli(["--workdir", w, "cbt", "enable"], { env, cwd })).result.ok, true);
          const s = await cli(["--workdir", w, "sync", "base"], { env, cwd });
          assert.equal(s.result.ok, true, JSON.stringify(s.result));
          const d = readManifestFile(w).disks[0];
          assert.ok(d.target.path.startsWith(odd + "/"), d.target.path);
          assert.equal(await hashImage(d.target.path, d.target.format), await labHash(lab, name, 0));
        }
        assertNoShellRan([cwd, base, state, lab.dir]);
      },
    );
  },
);

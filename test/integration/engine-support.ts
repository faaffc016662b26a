// Shared by the engine end-to-end tests: a lab started through the built CLI, the built helper run
// as a child process (--json), target image hashing through qemu-nbd + nbdcopy, lab look-ups.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import assert from "node:assert/strict";

export const HELPER = join(process.cwd(), "dist/ablestack_v2k");

export interface Lab {
  dir: string;
  url: string;
  username: string;
  password: string;
  thumbprint: string;
  /** govc-style environment for the helper. */
  env: Record<string, string>;
}

export interface Run {
  status: number | null;
  signal: NodeJS.Signals | null;
  events: Record<string, any>[];
  result: Record<string, any>;
  stderr: string;
}

export function tempDir(t: { after(fn: () => void | Promise<void>): void }, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function parseLines(stdout: string): Record<string, any>[] {
  return stdout
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l));
}

/** Run the built helper with --json; resolves with its exit status, events and result line. */
export function helper(
  args: string[],
  opts: { env?: Record<string, string>; input?: string; timeoutMs?: number; command?: string[]; onSpawn?: (pid: number) => void } = {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const [file, ...pre] = opts.command ?? [HELPER];
    const child = spawn(file!, [...pre, "--json", ...args], {
      env: { ...process.env, ...(opts.env ?? {}) },
      stdio: [opts.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    if (child.pid !== undefined) opts.onSpawn?.(child.pid);
    let out = "";
    let err = "";
    child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 180_000);
    child.on("error", reject);
    child.on("close", (status, signal) => {
      clearTimeout(timer);
      let events: Record<string, any>[] = [];
      try {
        events = parseLines(out);
      } catch (e) {
        return reject(new Error(`unparsable helper output: ${out.slice(0, 2000)}\n${err}`));
      }
      resolve({ status, signal, events, result: events.at(-1) ?? {}, stderr: err });
    });
    if (opts.input !== undefined) child.stdin!.end(opts.input);
  });
}

/** Run and require success; returns the result data. */
export async function ok(args: string[], opts: Parameters<typeof helper>[1] = {}): Promise<any> {
  const r = await helper(args, opts);
  assert.equal(r.result.ok, true, `${args.join(" ")} failed: ${JSON.stringify(r.result.error ?? r.result)}\n${r.stderr}`);
  assert.equal(r.status, 0);
  return r.result.data;
}

/** Run preflight expecting No-Go: an ok result with go=false and exit status 3. */
export async function noGo(args: string[], opts: Parameters<typeof helper>[1] = {}): Promise<any> {
  const r = await helper(args, opts);
  assert.equal(r.result.ok, true, `${args.join(" ")} failed: ${JSON.stringify(r.result.error ?? r.result)}\n${r.stderr}`);
  assert.equal(r.result.data.go, false);
  assert.equal(r.status, 3, "No-Go exits with status 3");
  return r.result.data;
}

/** Run and require a failure with this code, a hint and exit status 1. */
export async function fails(args: string[], code: string, opts: Parameters<typeof helper>[1] = {}): Promise<Run> {
  const r = await helper(args, opts);
  assert.equal(r.result.type, "result", `no result line: ${JSON.stringify(r.events.slice(-3))} ${r.stderr}`);
  assert.equal(r.result.ok, false, `${args.join(" ")} unexpectedly succeeded`);
  assert.equal(r.result.error.code, code, `expected ${code}, got ${JSON.stringify(r.result.error)}`);
  assert.ok(r.result.error.hint.length > 10, "the error has a hint");
  assert.equal(r.status, code === "USAGE" ? 2 : 1);
  return r;
}

/** The lab in the foreground as our child (no detached process to leak); ready once lab.json names it. */
export async function startLab(t: { after(fn: () => void | Promise<void>): void }, scenario = "default"): Promise<Lab> {
  const dir = mkdtempSync(join(tmpdir(), "v2k-e2e-lab-"));
  const child = spawn(HELPER, ["lab", "start", "--dir", dir, "--scenario", scenario], { stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  child.stderr!.on("data", (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  const exited = new Promise<void>((r) => child.on("close", () => r()));
  // one hook, in this order: stop the lab, then remove its directory (hooks run first-in first-out)
  t.after(async () => {
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
    rmSync(dir, { recursive: true, force: true });
  });
  const deadline = Date.now() + 240_000;
  let info: Record<string, any> | undefined;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`lab start exited: ${err}`);
    try {
      const parsed = JSON.parse(readFileSync(join(dir, "lab.json"), "utf8"));
      if (parsed.pid === child.pid) {
        info = parsed;
        break;
      }
    } catch {
      /* not written yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  if (!info) throw new Error(`lab did not start: ${err}`);
  return {
    dir,
    url: info.url,
    username: info.username,
    password: info.password,
    thumbprint: info.thumbprint,
    env: {
      GOVC_URL: info.url,
      GOVC_USERNAME: info.username,
      GOVC_PASSWORD: info.password,
      GOVC_THUMBPRINT: info.thumbprint,
      GOVC_INSECURE: "",
    },
  };
}

export async function labWrite(lab: Lab, vm: string, disk: number, offset: number, length: number, seed: number): Promise<void> {
  await ok([
    "lab",
    "write",
    "--dir",
    lab.dir,
    "--vm",
    vm,
    "--disk",
    String(disk),
    "--offset",
    String(offset),
    "--length",
    String(length),
    "--seed",
    String(seed),
  ]);
}

export async function labHash(lab: Lab, vm: string, disk: number, snapshot?: string): Promise<string> {
  const d = await ok(
    ["lab", "disk-hash", "--dir", lab.dir, "--vm", vm, "--disk", String(disk), ...(snapshot ? ["--snapshot", snapshot] : [])],
    { timeoutMs: 300_000 },
  );
  return d.sha256;
}

export async function labVm(lab: Lab, name: string): Promise<any> {
  const inv = await ok(["lab", "inventory", "--dir", lab.dir]);
  return inv.vms.find((v: { name: string }) => v.name === name);
}

/** Snapshots on the VM whose names are ours (for the "no leftover snapshot" checks). */
export async function ourSnapshotsOnVm(lab: Lab, name: string): Promise<string[]> {
  const vm = await labVm(lab, name);
  return vm.snapshots.filter((s: { name: string }) => s.name.startsWith("ablestack-v2k ")).map((s: { moref: string }) => s.moref);
}

/**
 * sha256 of an image's full virtual content: qemu-img converts it (force-share, so no lock race
 * with a server that is just exiting) into a sparse raw file, which is hashed and removed.
 */
export async function hashImage(path: string, format: "qcow2" | "raw"): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "v2k-e2e-hash-"));
  try {
    const raw = join(dir, "image.raw");
    const r = spawnSync("qemu-img", ["convert", "-U", "-f", format, "-O", "raw", path, raw], { encoding: "utf8", timeout: 300_000 });
    if (r.status !== 0) throw new Error(`qemu-img convert failed (${r.status ?? r.signal}): ${r.stderr}`);
    const hash = createHash("sha256");
    for await (const chunk of createReadStream(raw, { highWaterMark: 4 * 1024 * 1024 })) hash.update(chunk as Buffer);
    return hash.digest("hex");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function readManifestFile(workdir: string): any {
  return JSON.parse(readFileSync(join(workdir, "manifest.json"), "utf8"));
}

/** No qemu-nbd may still serve a target of this workdir after a command ends. */
export function qemuNbdServing(path: string): boolean {
  const r = spawnSync("pgrep", ["-f", `qemu-nbd.*${path}`], { encoding: "utf8" });
  return r.stdout.trim() !== "";
}

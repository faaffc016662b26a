// A real throwaway single-node Ceph for tests: ceph-mon, ceph-mgr and one memstore ceph-osd (RAM, no block
// device), msgr v2 only on a loopback address of its own, every file under one temp dir passed with -c
// (nothing in /etc/ceph). Auth "none" or "cephx" (then a client key with rbd caps for the helper).
// stop() kills the daemons and removes the dir; a test process that dies still leaves nothing running.
import { type ChildProcess, spawn } from "node:child_process";
import { createHash, randomInt, randomUUID } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exec } from "../../src/kit/exec";

export type CephAuth = "none" | "cephx";

export interface TestCeph {
  dir: string;
  conf: string;
  auth: CephAuth;
  /** Monitor address (msgr v2). */
  monHost: string;
  monPort: number;
  /** The pool tests migrate into (size 1, rbd application enabled). */
  pool: string;
  /** Client the helper uses (`--ceph-id`): "admin" with auth none, a restricted client with cephx. */
  clientId: string;
  /** Milliseconds from the first command to a cluster whose pool accepts I/O. */
  startMs: number;
  /** `ceph ...` as the admin client. */
  ceph(args: readonly string[], timeoutMs?: number): Promise<string>;
  /** `rbd ...` as the admin client. */
  rbd(args: readonly string[], timeoutMs?: number): Promise<string>;
  /** sha256 of `rbd export POOL/IMAGE -` (the image as a guest reads it). */
  exportSha256(pool: string, image: string): Promise<string>;
  /** Image names in a pool. */
  images(pool: string): Promise<string[]>;
  /** Creates another pool (size 1). */
  createPool(name: string): Promise<void>;
  /** Daemon logs (for assertion messages). */
  logs(): string;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
const liveDirs = new Set<string>();
process.once("exit", () => {
  for (const c of live) c.kill("SIGKILL");
  for (const d of liveDirs) rmSync(d, { recursive: true, force: true });
});

const MON_PORT = 3300; // clients given "host:port" without a msgr prefix take 3300 as v2

function confText(dir: string, fsid: string, addr: string, auth: CephAuth): string {
  const a = auth === "cephx" ? "cephx" : "none";
  return `[global]
fsid = ${fsid}
mon_host = [v2:${addr}:${MON_PORT}]
public_addr = ${addr}
ms_bind_msgr1 = false
ms_bind_msgr2 = true
auth_cluster_required = ${a}
auth_service_required = ${a}
auth_client_required = ${a}
${auth === "cephx" ? `keyring = ${dir}/keyring/$cluster.$name.keyring\n` : ""}run_dir = ${dir}/run
admin_socket = ${dir}/run/$cluster-$name.asok
pid_file = ${dir}/run/$cluster-$name.pid
log_file = ${dir}/log/$cluster-$name.log
mon_cluster_log_file = ${dir}/log/$cluster.log
mon_data = ${dir}/mon/$cluster-$id
mgr_data = ${dir}/mgr/$cluster-$id
osd_data = ${dir}/osd/$cluster-$id
mon_allow_pool_size_one = true
mon_allow_pool_delete = true
mon_warn_on_pool_no_redundancy = false
osd_pool_default_size = 1
osd_pool_default_min_size = 1
osd_pool_default_pg_autoscale_mode = off
osd_crush_chooseleaf_type = 0
osd_objectstore = memstore
memstore_device_bytes = 8589934592
osd_memory_target = 939524096
mgr_disabled_modules = dashboard prometheus restful
mgr_initial_modules = iostat
mon_max_pg_per_osd = 500
${auth === "cephx" ? "[mon]\nkeyring = $mon_data/keyring\n" : ""}`;
}

function pickAddr(): string {
  return `127.${randomInt(100, 250)}.${randomInt(1, 250)}.${randomInt(2, 250)}`;
}

async function waitFor(cond: () => Promise<boolean>, timeoutMs: number, what: string, logs: () => string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await cond().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}\n${logs()}`);
}

export async function startTestCeph(opts: { auth?: CephAuth; pool?: string } = {}): Promise<TestCeph> {
  const t0 = Date.now();
  const auth = opts.auth ?? "none";
  const pool = opts.pool ?? "v2k";
  const dir = mkdtempSync(join(tmpdir(), "v2k-ceph-"));
  liveDirs.add(dir);
  chmodSync(dir, 0o700);
  for (const d of ["run", "log", "keyring", "mon/ceph-a", "mgr/ceph-x", "osd/ceph-0"]) mkdirSync(join(dir, d), { recursive: true });
  const conf = join(dir, "ceph.conf");
  const fsid = randomUUID();
  const addr = pickAddr();
  writeFileSync(conf, confText(dir, fsid, addr, auth));
  const procs: ChildProcess[] = [];
  let out = "";
  const logs = () => {
    let text = out.slice(-4000);
    for (const n of ["mon.a", "mgr.x", "osd.0"]) {
      try {
        text += `\n--- ${n} ---\n` + readFileSync(join(dir, "log", `ceph-${n}.log`), "utf8").slice(-3000);
      } catch {
        /* not started */
      }
    }
    return text;
  };
  const run = async (file: string, args: readonly string[], timeoutMs = 60_000) =>
    (await exec(file, ["-c", conf, ...args], { timeoutMs })).stdout;
  const ceph = (args: readonly string[], timeoutMs = 60_000) => run("ceph", ["--connect-timeout", "30", ...args], timeoutMs);
  const rbd = (args: readonly string[], timeoutMs = 120_000) => run("rbd", args, timeoutMs);
  const daemon = (file: string, args: readonly string[]) => {
    const child = spawn(file, ["-c", conf, "-f", ...args], { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout!.on("data", (b: Buffer) => (out += b.toString()));
    child.stderr!.on("data", (b: Buffer) => (out += b.toString()));
    live.add(child);
    procs.push(child);
    child.once("exit", () => live.delete(child));
  };
  const stop = async () => {
    for (const c of procs) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    await Promise.all(procs.map((c) => (c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once("exit", r)) : undefined)));
    rmSync(dir, { recursive: true, force: true });
    liveDirs.delete(dir);
  };
  try {
    await bootstrapMon(dir, conf, fsid, addr, auth, run);
    daemon("ceph-mon", ["-i", "a"]);
    await waitFor(async () => (await ceph(["mon", "stat"], 15_000)).includes("quorum"), 60_000, "ceph-mon", logs);
    if (auth === "cephx") {
      await ceph([
        "auth",
        "get-or-create",
        "mgr.x",
        "mon",
        "allow profile mgr",
        "osd",
        "allow *",
        "mds",
        "allow *",
        "-o",
        join(dir, "keyring/ceph.mgr.x.keyring"),
      ]);
    }
    daemon("ceph-mgr", ["-i", "x"]);
    await createOsd(dir, auth, ceph, run);
    daemon("ceph-osd", ["-i", "0"]);
    await waitFor(async () => /1 up/.test(await ceph(["osd", "stat"], 15_000)), 90_000, "ceph-osd up", logs);
    await createPoolOn(ceph, rbd, pool);
    await waitFor(async () => (await ceph(["mgr", "stat"], 15_000)).includes('"available": true'), 90_000, "ceph-mgr", logs);
    const clientId = auth === "cephx" ? "v2k" : "admin";
    if (auth === "cephx") {
      await ceph([
        "auth",
        "get-or-create",
        "client.v2k",
        "mon",
        "profile rbd, allow r",
        "osd",
        "profile rbd",
        "mgr",
        "profile rbd",
        "-o",
        join(dir, "keyring/ceph.client.v2k.keyring"),
      ]);
    }
    // a pool that takes a write is a pool whose PGs are active
    await waitFor(
      async () => {
        await rbd(["create", "--size", "1M", `${pool}/v2k-probe`], 20_000);
        await rbd(["rm", "--no-progress", `${pool}/v2k-probe`], 20_000);
        return true;
      },
      90_000,
      "pool I/O",
      logs,
    );
    return {
      dir,
      conf,
      auth,
      monHost: addr,
      monPort: MON_PORT,
      pool,
      clientId,
      startMs: Date.now() - t0,
      ceph,
      rbd,
      createPool: (name) => createPoolOn(ceph, rbd, name),
      logs,
      stop,
      exportSha256: (p, image) => exportSha256(conf, p, image),
      images: async (p) => JSON.parse(await rbd(["ls", "--format", "json", p])) as string[],
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

type Run = (file: string, args: readonly string[], timeoutMs?: number) => Promise<string>;

async function bootstrapMon(dir: string, conf: string, fsid: string, addr: string, auth: CephAuth, run: Run): Promise<void> {
  const monmap = join(dir, "monmap");
  await exec("monmaptool", ["--create", "--fsid", fsid, "--addv", "a", `[v2:${addr}:${MON_PORT}]`, monmap], { timeoutMs: 30_000 });
  const args = ["--mkfs", "-i", "a", "--monmap", monmap];
  if (auth === "cephx") {
    const monKeyring = join(dir, "keyring/mon.keyring");
    const adminKeyring = join(dir, "keyring/ceph.client.admin.keyring");
    await exec("ceph-authtool", ["--create-keyring", monKeyring, "--gen-key", "-n", "mon.", "--cap", "mon", "allow *"], {
      timeoutMs: 30_000,
    });
    await exec(
      "ceph-authtool",
      [
        "--create-keyring",
        adminKeyring,
        "--gen-key",
        "-n",
        "client.admin",
        "--cap",
        "mon",
        "allow *",
        "--cap",
        "osd",
        "allow *",
        "--cap",
        "mgr",
        "allow *",
        "--cap",
        "mds",
        "allow *",
      ],
      { timeoutMs: 30_000 },
    );
    await exec("ceph-authtool", [monKeyring, "--import-keyring", adminKeyring], { timeoutMs: 30_000 });
    args.push("--keyring", monKeyring);
  }
  await run("ceph-mon", args);
  writeFileSync(join(dir, "mon/ceph-a/done"), "");
}

async function createOsd(
  dir: string,
  auth: CephAuth,
  ceph: (a: readonly string[], t?: number) => Promise<string>,
  run: Run,
): Promise<void> {
  const uuid = randomUUID();
  const id = (await ceph(["osd", "new", uuid])).trim();
  if (id !== "0") throw new Error(`unexpected OSD id ${id}`);
  if (auth === "cephx") {
    await ceph([
      "auth",
      "get-or-create",
      "osd.0",
      "osd",
      "allow *",
      "mon",
      "allow profile osd",
      "mgr",
      "allow profile osd",
      "-o",
      join(dir, "keyring/ceph.osd.0.keyring"),
    ]);
  }
  await run("ceph-osd", ["-i", "0", "--mkfs", "--osd-uuid", uuid, "--no-mon-config"], 120_000);
}

async function createPoolOn(
  ceph: (a: readonly string[], t?: number) => Promise<string>,
  rbd: (a: readonly string[], t?: number) => Promise<string>,
  name: string,
): Promise<void> {
  await ceph(["osd", "pool", "create", name, "8", "8"]);
  await ceph(["osd", "pool", "set", name, "size", "1", "--yes-i-really-mean-it"]);
  await rbd(["pool", "init", name]);
}

async function exportSha256(conf: string, pool: string, image: string): Promise<string> {
  const child = spawn("rbd", ["-c", conf, "export", "--no-progress", `${pool}/${image}`, "-"], { stdio: ["ignore", "pipe", "pipe"] });
  const hash = createHash("sha256");
  let err = "";
  child.stdout!.on("data", (b: Buffer) => hash.update(b));
  child.stderr!.on("data", (b: Buffer) => (err += b.toString()));
  const code = await new Promise<number | null>((r) => child.once("close", r));
  if (code !== 0) throw new Error(`rbd export ${pool}/${image} failed (${code}): ${err}`);
  return hash.digest("hex");
}

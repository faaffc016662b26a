// The lab's datastore reads as a copy tool makes them: several HTTPS range requests in parallel on
// kept-alive connections (curl, as nbdkit-curl uses libcurl), each reading a disk's -flat.vmdk in
// 8 MiB ranges. Prints MB/s and the CPU seconds per GB served of the lab's process tree (the lab and
// its datastore workers), for each `--datastore-workers` setting in turn (alternating), ROUNDS times.
//
//   node --import tsx test/bench/lab-datastore.ts     ROUNDS=3, READERS=1,4, WORKERS=0,default (build first)
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { labControl, soapLogin, labRequest } from "../support/lab";
import { type BenchLab, benchMain, cpuSince, processTree, startBenchLab, treeCpu } from "./bench-lab";

const MiB = 1024 * 1024;
const RANGE = 8 * MiB;
/** Bytes each run reads (spread over the readers): the seeded part of the disk. */
const READ_BYTES = 1024 * MiB;

export interface DatastoreFigures {
  /** The lab's --datastore-workers ("default": as `lab start` chooses). */
  workers: string;
  readers: number;
  mbPerSec: number;
  /** CPU (user + system) of the lab's process tree per GB served. */
  labCpuSecPerGb: number;
}

/** One curl reading its share of ranges over one kept-alive connection, to /dev/null (the cookie in a config file). */
function curlReader(url: string, config: string, ranges: number[]): Promise<void> {
  const args: string[] = [];
  ranges.forEach((start, i) => {
    if (i > 0) args.push("--next");
    args.push("-K", config, "-r", `${start}-${start + RANGE - 1}`, "-o", "/dev/null", url);
  });
  return new Promise((resolve, reject) => {
    const c = spawn("curl", args, { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    c.stderr.on("data", (d: Buffer) => (err += d.toString()));
    c.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`curl exited ${code}: ${err.slice(0, 300)}`))));
  });
}

interface Prepared {
  workers: string;
  lab: BenchLab;
  url: string;
  path: string;
  config: string;
  cookie: string;
}

async function oneRun(p: Prepared, readers: number): Promise<DatastoreFigures> {
  const starts = Array.from({ length: READ_BYTES / RANGE }, (_, i) => i * RANGE);
  const shares = Array.from({ length: readers }, (_, r) => starts.filter((_, i) => i % readers === r));
  const cpu0 = treeCpu(p.lab.info.pid!);
  const t0 = performance.now();
  await Promise.all(shares.map((s) => curlReader(p.url, p.config, s)));
  const secs = (performance.now() - t0) / 1000;
  const cpu = cpuSince(cpu0, treeCpu(p.lab.info.pid!));
  return { workers: p.workers, readers, mbPerSec: READ_BYTES / 1e6 / secs, labCpuSecPerGb: cpu / (READ_BYTES / 1e9) };
}

/** The datastore workers start with a lab's first /folder request: read until every one has served. */
async function warmUp(p: Prepared): Promise<number> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const before = treeCpu(p.lab.info.pid!);
    for (let i = 0; i < 8; i++)
      await labRequest(p.lab, { method: "GET", path: p.path, headers: { Cookie: p.cookie, Range: `bytes=0-${4 * MiB - 1}` } });
    const after = treeCpu(p.lab.info.pid!);
    const workers = [...after.keys()].slice(1);
    const busy = workers.filter((w) => (after.get(w) ?? 0) > (before.get(w) ?? 0));
    if (p.workers === "0" || (workers.length > 0 && busy.length === workers.length) || Date.now() > deadline) return workers.length;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A lab with one disk of 1 GiB of guest data, a session cookie in a curl config. */
async function prepare(workers: string): Promise<Prepared> {
  const lab = await startBenchLab("minimal", workers === "default" ? [] : ["--datastore-workers", workers]);
  const inv = await labControl(lab, "GET", "inventory");
  const vm = inv.vms.find((v: any) => v.disks[0].capacityBytes >= READ_BYTES)!;
  const disk = vm.disks[0];
  for (let off = 0; off < READ_BYTES; off += 64 * MiB)
    await labControl(lab, "POST", "write", { vm: vm.moref, disk: 0, offset: off, length: 64 * MiB, seed: off / MiB });
  const m = /^\[([^\]]+)\] (.*)\.vmdk$/.exec(disk.fileName)!;
  const path = `/folder/${m[2]}-flat.vmdk?dcPath=${lab.info.datacenter}&dsName=${m[1]}`;
  // the lab's certificate alone (as the helper pins it), the session cookie as pyVmomi holds it
  const config = join(lab.dir, "bench-curl.conf");
  const cookie = (await soapLogin(lab)).split(";")[0]!;
  const lines = [
    "silent",
    "show-error",
    "fail",
    `cacert = "${lab.certFile}"`,
    `capath = "${lab.dir}"`,
    `cookie = "${cookie.replace(/"/g, '\\"')}"`,
  ];
  writeFileSync(config, lines.join("\n") + "\n", { mode: 0o600 });
  const p = { workers, lab, url: `https://${lab.host}:${lab.port}${path}`, path, config, cookie };
  const n = await warmUp(p);
  process.stdout.write(`lab --datastore-workers ${workers}: ${n} worker process(es) (${processTree(lab.info.pid!).join(" ")})\n`);
  return p;
}

/** ROUNDS runs per reader count and worker setting, the settings alternating within each round. */
export async function labDatastoreReads(
  rounds: number,
  readerCounts: number[],
  workerSettings = ["0", "default"],
): Promise<DatastoreFigures[]> {
  const labs: Prepared[] = [];
  try {
    for (const w of workerSettings) labs.push(await prepare(w));
    const out: DatastoreFigures[] = [];
    for (let i = 0; i < rounds; i++)
      for (const readers of readerCounts)
        for (const p of i % 2 ? [...labs].reverse() : labs) {
          const f = await oneRun(p, readers);
          out.push(f);
          process.stdout.write(`${formatDatastore(f)}\n`);
        }
    return out;
  } finally {
    for (const p of labs) await p.lab.stop();
  }
}

export function formatDatastore(f: DatastoreFigures): string {
  return `datastore reads, workers ${f.workers}, ${f.readers} reader(s): ${f.mbPerSec.toFixed(0)} MB/s, lab CPU ${f.labCpuSecPerGb.toFixed(2)} s/GB`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rounds = Math.max(1, Number(process.env.ROUNDS ?? "3"));
  const readers = (process.env.READERS ?? "1,4").split(",").map(Number);
  const workers = (process.env.WORKERS ?? "0,default").split(",");
  benchMain(() => labDatastoreReads(rounds, readers, workers));
}

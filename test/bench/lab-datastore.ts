// The lab's datastore reads as a copy tool makes them: several HTTPS range requests in parallel on
// kept-alive connections (curl, as nbdkit-curl uses libcurl), each reading a disk's -flat.vmdk in
// 8 MiB ranges. Prints MB/s and the lab process's CPU seconds per GB served, medians over ROUNDS.
//
//   node --import tsx test/bench/lab-datastore.ts     ROUNDS=3, READERS=1,4 (make bench runs it through goals.ts)
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadavg } from "node:os";
import { labControl, soapLogin, startTestLab, type TestLab } from "../support/lab";

const MiB = 1024 * 1024;
const RANGE = 8 * MiB;
/** Bytes each run reads (spread over the readers): the seeded part of the disk. */
const READ_BYTES = 1024 * MiB;

export interface DatastoreFigures {
  readers: number;
  mbPerSec: number;
  /** The lab process's CPU (user + system) per GB served. */
  labCpuSecPerGb: number;
}

/** utime + stime of a process in seconds (/proc/PID/stat fields 14, 15). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) / 100;
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

async function oneRun(lab: TestLab, url: string, config: string, readers: number): Promise<DatastoreFigures> {
  const starts = Array.from({ length: READ_BYTES / RANGE }, (_, i) => i * RANGE);
  const shares = Array.from({ length: readers }, (_, r) => starts.filter((_, i) => i % readers === r));
  const pid = lab.info.pid!;
  const cpu0 = cpuSeconds(pid);
  const t0 = performance.now();
  await Promise.all(shares.map((s) => curlReader(url, config, s)));
  const secs = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(pid) - cpu0;
  return { readers, mbPerSec: READ_BYTES / 1e6 / secs, labCpuSecPerGb: cpu / (READ_BYTES / 1e9) };
}

/** A lab with one disk of 1 GiB of guest data; ROUNDS runs per reader count, alternating. */
export async function labDatastoreReads(rounds: number, readerCounts: number[]): Promise<DatastoreFigures[]> {
  const lab = await startTestLab({ scenario: "minimal" });
  try {
    const inv = await labControl(lab, "GET", "inventory");
    const vm = inv.vms.find((v: any) => v.disks[0].capacityBytes >= READ_BYTES)!;
    const disk = vm.disks[0];
    for (let off = 0; off < READ_BYTES; off += 64 * MiB)
      await labControl(lab, "POST", "write", { vm: vm.moref, disk: 0, offset: off, length: 64 * MiB, seed: off / MiB });
    const m = /^\[([^\]]+)\] (.*)\.vmdk$/.exec(disk.fileName)!;
    const url = `https://${lab.host}:${lab.port}/folder/${m[2]}-flat.vmdk?dcPath=${lab.info.datacenter}&dsName=${m[1]}`;
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
    const out: DatastoreFigures[] = [];
    for (let i = 0; i < rounds; i++)
      for (const readers of readerCounts) {
        const f = await oneRun(lab, url, config, readers);
        out.push(f);
        process.stdout.write(`${formatDatastore(f)}\n`);
      }
    return out;
  } finally {
    await lab.stop();
  }
}

export function formatDatastore(f: DatastoreFigures): string {
  return `datastore reads, ${f.readers} reader(s): ${f.mbPerSec.toFixed(0)} MB/s, lab CPU ${f.labCpuSecPerGb.toFixed(2)} s/GB`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rounds = Math.max(1, Number(process.env.ROUNDS ?? "3"));
  const readers = (process.env.READERS ?? "1,4").split(",").map(Number);
  process.stdout.write(
    `load average at start ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}\n`,
  );
  labDatastoreReads(rounds, readers)
    .then(() =>
      process.stdout.write(
        `load average at end ${loadavg()
          .map((l) => l.toFixed(1))
          .join(" ")}\n`,
      ),
    )
    .catch((e: unknown) => {
      process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    });
}

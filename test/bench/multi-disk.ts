// Several disks at once in one process, as `sync` does: N nbdkit sparse-random sources (half data)
// copied into N fresh qcow2 images served by qemu-nbd. Prints the aggregate MB/s and the peak RSS
// of this process (the memory bound is per disk, whatever the disk size). Not part of make check.
//
//   node --import tsx test/bench/multi-disk.ts [DISKS=3] [SIZE=2G]      (images under $TMPDIR)
import { ManagedDaemon, PrivateDir, openSource, openTarget, type SourceHandle, type TargetHandle } from "../../src/helper/endpoints/index";
import { copyDisk } from "../../src/helper/engine/index";
import { parseSize } from "../../src/kit/sizes";
import { unixNbdUri } from "../../src/helper/nbd/index";

const disks = Number(process.argv[2] ?? 3);
const size = parseSize(process.argv[3] ?? "2G") ?? 2 * 1024 ** 3;
const work = new PrivateDir("v2k-bench-");

const servers: ManagedDaemon[] = [];
const dirs: PrivateDir[] = [work];
const handles: Array<SourceHandle | TargetHandle> = [];
try {
  const pairs = [];
  for (let i = 0; i < disks; i++) {
    const dir = work.file(`s${i}`);
    const d = new PrivateDir(`v2k-bench-src${i}-`);
    dirs.push(d);
    servers.push(
      await ManagedDaemon.start({
        name: "nbdkit",
        file: "nbdkit",
        pidFile: d.file("pid"),
        args: [
          "--foreground",
          "--exit-with-parent",
          "--readonly",
          "--unix",
          d.file("nbd.sock"),
          "--pidfile",
          d.file("pid"),
          "sparse-random",
          String(size),
          "percent=50",
          `seed=${i + 1}`,
        ],
      }),
    );
    const s = await openSource({ kind: "nbd", uri: unixNbdUri(d.file("nbd.sock")) }, { disk: `disk ${i}` });
    handles.push(s);
    const t = await openTarget({ kind: "file", path: `${dir}.qcow2`, format: "qcow2", createSize: size }, { disk: `disk ${i}` });
    handles.push(t);
    pairs.push({ s, t, i });
  }
  const started = performance.now();
  const stats = await Promise.all(
    pairs.map(({ s, t, i }) =>
      copyDisk({ source: s.source, target: t.target, areas: [{ offset: 0, length: size }], targetIsZero: true, disk: `disk ${i}` }),
    ),
  );
  const secs = (performance.now() - started) / 1000;
  const total = stats.reduce((n, s) => n + s.totalBytes, 0);
  console.log(
    `${disks} disks x ${size} bytes: ${secs.toFixed(2)} s, ${(total / 1e6 / secs).toFixed(1)} MB/s aggregate, ` +
      `per disk ${stats.map((s) => s.mbPerSec).join(" / ")} MB/s, peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`,
  );
} finally {
  await Promise.allSettled(handles.map((h) => h.close()));
  await Promise.allSettled(servers.map((s) => s.stop()));
  for (const d of dirs) d.remove();
}

// The cutover's downtime on the lab, as the admin runs it: boot01 through the built CLI (init, CBT, base copy,
// one incremental round), then 64 MiB written by the guest after that round, then `cutover --shutdown poweroff
// --start`. The manifest's cutover record times each phase; this prints the split per run and the medians.
// Downtime is the manifest's: from the source proven off to the KVM domain started. The power-off itself
// (requested -> off) is printed beside it.
//
//   node --import tsx test/bench/lab-downtime.ts      ROUNDS=3 (make bench runs it through goals.ts)
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ok } from "../integration/engine-support";
import { LabMigrationWorld } from "../support/lab-migration";
import { benchMain } from "./bench-lab";

const MiB = 1024 * 1024;
const VM = "boot01";
/** Behind boot01's boot partition (1..41 MiB) so the migrated guest still boots. */
const CHANGED = { offset: 48 * MiB, length: 64 * MiB };

/** The cutover record's timestamps, in the order the cutover reaches them (the data check runs between define and start). */
const MARKS = ["sourceOffAt", "finalSyncedAt", "convertedAt", "definedAt", "verifiedAt", "startedAt"] as const;
/** What happens between a mark and the one before it. */
export const DOWNTIME_PHASES = ["final sync", "conversion", "define", "verify", "start"] as const;

export interface DowntimeFigures {
  downtimeMs: number;
  /** Requested to proven off: the power-off, before the downtime the manifest counts. */
  powerOffMs: number;
  phasesMs: Record<(typeof DOWNTIME_PHASES)[number], number>;
  finalChangedBytes: number;
}

type CutoverRecord = Partial<Record<(typeof MARKS)[number] | "requestedAt", string>> & { downtimeMs?: number };

/** The split of one cutover record; a phase the cutover skipped (no conversion) counts 0. */
export function downtimeSplit(c: CutoverRecord): Omit<DowntimeFigures, "finalChangedBytes"> {
  const at = (k: keyof CutoverRecord) => (typeof c[k] === "string" ? Date.parse(c[k] as string) : undefined);
  const off = at("sourceOffAt");
  const started = at("startedAt");
  if (off === undefined || started === undefined || c.downtimeMs === undefined)
    throw new Error(`cutover not finished: ${JSON.stringify(c)}`);
  const phasesMs = {} as DowntimeFigures["phasesMs"];
  let last = off;
  DOWNTIME_PHASES.forEach((phase, i) => {
    const t = at(MARKS[i + 1]!);
    phasesMs[phase] = t === undefined ? 0 : t - last;
    if (t !== undefined) last = t;
  });
  return { downtimeMs: c.downtimeMs, powerOffMs: off - (at("requestedAt") ?? off), phasesMs };
}

async function oneCutover(world: LabMigrationWorld, run: number): Promise<DowntimeFigures> {
  const { dir, lab, env } = await world.open();
  try {
    const workdir = join(dir, "wd");
    mkdirSync(join(dir, "dst"));
    await ok(["--workdir", workdir, "init", "--vm", VM, "--dst", join(dir, "dst")], { env });
    await ok(["--workdir", workdir, "cbt", "enable"], { env });
    await ok(["--workdir", workdir, "sync", "base"], { env, timeoutMs: 600_000 });
    await ok(["--workdir", workdir, "sync", "incr"], { env });
    const write = ["--dir", lab.dir, "--vm", VM, "--disk", "0", "--offset", String(CHANGED.offset), "--length", String(CHANGED.length)];
    await ok(["lab", "write", ...write, "--seed", String(100 + run)]);
    const domain = `${world.domain}-${run}`;
    world.alsoDomain(domain);
    const cut = ["--shutdown", "poweroff", "--start", "--domain-name", domain, "--domain-type", "qemu"];
    await ok(["--workdir", workdir, "cutover", ...cut, "--network-map-default", world.bridge, "--graphics", "none"], {
      env,
      timeoutMs: 600_000,
    });
    const m = JSON.parse(readFileSync(join(workdir, "manifest.json"), "utf8"));
    return { ...downtimeSplit(m.cutover), finalChangedBytes: m.rounds.at(-1).changedBytes };
  } finally {
    await world.close();
  }
}

export function formatDowntime(f: DowntimeFigures): string {
  const phases = DOWNTIME_PHASES.map((p) => `${p} ${f.phasesMs[p]}`).join(", ");
  return `downtime ${f.downtimeMs} ms (${phases}); power-off before it ${f.powerOffMs} ms; final round ${f.finalChangedBytes / MiB} MiB`;
}

/** ROUNDS cutovers, each from a fresh lab, libvirtd world and migration. */
export async function labDowntime(rounds: number): Promise<DowntimeFigures[]> {
  const out: DowntimeFigures[] = [];
  for (let i = 0; i < rounds; i++) {
    const f = await oneCutover(new LabMigrationWorld({ dir: "v2k-bench-downtime-", domain: "v2k-b-down-", bridge: "v2kbd" }), i);
    process.stdout.write(`${formatDowntime(f)}\n`);
    out.push(f);
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rounds = Math.max(1, Number(process.env.ROUNDS ?? "3"));
  benchMain(() => labDowntime(rounds));
}

// `list`: every migration workdir under the root (default /var/lib/ablestack-v2k), read-only.
// Workdirs live at <root>/<vm>/<run-id>/ (init's default) or directly at <root>/<name>/; a directory
// counts as a workdir when it holds manifest.json. Manifests that do not parse are reported, not hidden.
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { z } from "zod";
import { defineCommand } from "../../kit/cli/command";
import { type Manifest } from "../../shared/manifest";
import {
  DEFAULT_WORKDIR_ROOT,
  type DomainStatus,
  type ListResult,
  type ListedMigration,
  type RunningOperation,
  type UnreadableWorkdir,
} from "../../shared/results";
import { toErrorInfo } from "../../shared/v2k-error";
import { findWorkdirs, readWorkdirManifest } from "../state/workdir-scan";
import { defaultWorkdirRoot } from "../state/workdir";
import { LOCK_FILE } from "../state/lock";
import { processStartTime } from "../../kit/process";
import { jobStatus } from "../../kit/jobs/index";
import { Virsh, libvirtUri } from "../libvirt/virsh";
import { savedDomainOptions } from "../cutover/domain-config";
import { processAlive } from "../../kit/process";
import { slotWaiters } from "../../kit/slots";
import { hostCopyLimits } from "../config/host-config";
import { slotWaitsOf } from "../sync/copy-slots";

/**
 * The operation running on the workdir, if any: the job service's record (operation.json, written for
 * `job start` and `run --detach`) while its command lives, else the live holder of the workdir's lock.
 */
export async function runningOperation(workdir: string): Promise<RunningOperation | null> {
  const job = jobStatus(workdir);
  if (job.state === "running" && job.record) {
    const { command, pid, unit, startedAt } = job.record;
    return { command, pid, startedAt, ...(unit ? { unit } : {}) };
  }
  return lockHolder(workdir);
}

/** A helper started elsewhere (a terminal) holds the workdir's lock while it works. */
async function lockHolder(workdir: string): Promise<RunningOperation | null> {
  try {
    const lock = JSON.parse(await readFile(join(workdir, LOCK_FILE), "utf8")) as {
      pid?: unknown;
      procStart?: unknown;
      command?: unknown;
      startedAt?: unknown;
    };
    if (typeof lock.pid !== "number" || lock.pid <= 0 || !processAlive(lock.pid)) return null;
    // the same pid with another start time is a reused pid: the lock is stale
    if (typeof lock.procStart === "string" && lock.procStart !== "" && processStartTime(lock.pid) !== lock.procStart) return null;
    return {
      command: typeof lock.command === "string" ? lock.command : "unknown",
      pid: lock.pid,
      ...(typeof lock.startedAt === "string" ? { startedAt: lock.startedAt } : {}),
    };
  } catch {
    return null;
  }
}

/** libvirt's view of the domain a cutover defined (on the URI that cutover used); null before cutover. */
export async function domainStatus(workdir: string, manifest: Manifest): Promise<DomainStatus | null> {
  const name = manifest.cutover?.domainName;
  if (!name || !manifest.cutover?.definedAt) return null;
  try {
    const virsh = new Virsh({ uri: libvirtUri(savedDomainOptions(workdir).connect), timeoutMs: 15_000 });
    return { name, state: (await virsh.domState(name)) ?? "undefined" };
  } catch {
    return { name, state: "unknown" }; // libvirtd down or unreachable: say so rather than fail the list
  }
}

export async function listWorkdirs(root: string): Promise<ListResult> {
  const migrations: ListedMigration[] = [];
  const unreadable: UnreadableWorkdir[] = [];
  const waiters = slotWaiters(hostCopyLimits().slotsDir);
  for (const workdir of await findWorkdirs(root)) {
    try {
      const manifest = await readWorkdirManifest(workdir);
      const running = await runningOperation(workdir);
      const waiting = running ? slotWaitsOf(workdir, waiters) : [];
      migrations.push({
        workdir,
        manifest,
        running,
        domain: await domainStatus(workdir, manifest),
        ...(waiting.length > 0 ? { waiting } : {}),
      });
    } catch (e) {
      unreadable.push({ workdir, error: toErrorInfo(e) });
    }
  }
  return { root, migrations, unreadable };
}

export const listCommand = defineCommand({
  path: ["list"],
  summary: "list the migrations (workdirs) on this host",
  options: {
    root: {
      type: "string",
      description: `directory holding the workdirs (default $V2K_STATE_DIR or ${DEFAULT_WORKDIR_ROOT})`,
      valueName: "DIR",
    },
  },
  schema: z.object({ root: z.string().min(1).optional(), positionals: z.array(z.string()).max(0) }),
  render(data) {
    const result = data as ListResult;
    const lines = result.migrations.map(
      (m) =>
        `${m.manifest.vm.name}\t${m.manifest.phase}\t${m.running ? `running ${m.running.command}${m.waiting ? " (waiting for a copy slot)" : ""}` : "idle"}\t${m.workdir}`,
    );
    for (const u of result.unreadable) lines.push(`?\t${u.error.code}\t-\t${u.workdir}`);
    return lines.length > 0 ? lines.join("\n") : `no migrations under ${result.root}`;
  },
  async run(options) {
    return listWorkdirs(resolve(options.root ?? defaultWorkdirRoot()));
  },
});

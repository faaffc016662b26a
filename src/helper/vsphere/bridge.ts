// The pyvmomi bridge: one long-lived /usr/bin/python3 process per command, JSON lines over its
// stdin/stdout. Credentials travel in the first (connect) line on stdin, never in argv or env.
// Every reply is validated with zod; every failure becomes a VsphereFault (a V2kError).
import { execa } from "execa";
import { existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { type z } from "zod";
import { V2kError } from "../../shared/v2k-error";
import { VcenterVmsResult } from "../../shared/results";
import { registerSecret } from "../../shared/redact";
import { childEnvironment } from "../../kit/child-env";
import { type VcenterAccess } from "../config/vcenter-access";
import { mapBridgeError, VsphereFault } from "./faults";
import * as R from "./replies";
import { type VsphereApi } from "./api";

const PYTHON = process.env.V2K_PYTHON ?? "/usr/bin/python3";

function spawnPython() {
  return execa(PYTHON, ["-u", bridgeScriptPath()], {
    stdin: "pipe",
    stdout: "pipe",
    stderr: "pipe",
    reject: false,
    buffer: false,
    cleanup: true,
    env: childEnvironment(), // the password travels on stdin only, not in /proc/PID/environ
    extendEnv: false,
  });
}
type BridgeProcess = ReturnType<typeof spawnPython>;

/** dist/helper/py (bundle) or src/helper/vsphere/py (tsx): both sit beside this module's file. */
export function bridgeScriptPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const p of [join(here, "py", "v2k_bridge.py"), join(here, "..", "vsphere", "py", "v2k_bridge.py")]) {
    if (existsSync(p)) return p;
  }
  throw new V2kError(
    "INTERNAL",
    "v2k_bridge.py is missing beside the helper",
    "Reinstall ablestack-v2k (the py/ directory belongs to the helper).",
  );
}

interface Pending {
  op: string;
  resolve(v: unknown): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

export interface BridgeOptions {
  /** Default per-request timeout; long operations pass their own. */
  timeoutMs?: number;
  /** Accepted for symmetry; the bridge deliberately outlives a cancel (see connect). */
  signal?: AbortSignal;
}

export class VsphereBridge implements VsphereApi {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private exited: Error | null = null;
  private stderrTail = "";
  /** Number of requests sent (for measurements and tests). */
  requests = 0;
  /** How often the bridge logged in again after a session expiry (any request may trigger it). */
  relogins = 0;

  private constructor(
    private readonly proc: BridgeProcess,
    readonly target: string,
    private readonly defaultTimeoutMs: number,
  ) {
    const lines = createInterface({ input: proc.stdout! });
    lines.on("line", (line) => this.onLine(line));
    proc.stderr!.on("data", (d: Buffer) => {
      this.stderrTail = (this.stderrTail + d.toString("utf8")).slice(-4000);
    });
    void proc.then(
      () => this.onExit(),
      () => this.onExit(),
    );
  }

  /** Start python, log in (TLS pinned by thumbprint unless insecure) and return a ready bridge. */
  static async connect(access: VcenterAccess, options: BridgeOptions = {}): Promise<VsphereBridge> {
    // A cancel (SIGINT/SIGTERM) does not stop the bridge: cleanup after the cancel (removing our
    // snapshot) still needs vCenter. withBridge/withVsphere close it in `finally`.
    const proc = spawnPython();
    const bridge = new VsphereBridge(proc, access.url, options.timeoutMs ?? 120_000);
    try {
      R.ConnectResult.parse(
        await bridge.call("connect", {
          host: access.host,
          port: access.port,
          username: access.username,
          password: access.password,
          thumbprint: access.thumbprint ?? null,
          insecure: access.insecure,
        }),
      );
    } catch (e) {
      await bridge.close();
      throw e;
    }
    return bridge;
  }

  private onLine(line: string): void {
    let parsed: z.infer<typeof R.BridgeReply>;
    try {
      parsed = R.BridgeReply.parse(JSON.parse(line));
    } catch {
      this.stderrTail = (this.stderrTail + "\nunparsable reply: " + line.slice(0, 200)).slice(-4000);
      return;
    }
    const id = parsed.id === 0 ? this.oldestPending() : parsed.id;
    const p = id === undefined ? undefined : this.pending.get(id);
    if (!p || id === undefined) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    if (parsed.ok) {
      if ((parsed.result as { reauthenticated?: unknown } | null)?.reauthenticated === true) this.relogins++;
      p.resolve(parsed.result);
    } else p.reject(mapBridgeError(p.op, parsed.error, this.target));
  }

  private oldestPending(): number | undefined {
    return this.pending.keys().next().value;
  }

  private onExit(): void {
    this.exited = new V2kError("PROCESS_FAILED", "the vSphere bridge (python3) exited", "See the detail; re-run the command.", {
      detail: this.stderrTail.trim(),
    });
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(this.exited);
      this.pending.delete(id);
    }
  }

  /** Send one request and wait for its reply (raw, unvalidated: use the typed methods). */
  call(op: string, args: Record<string, unknown>, timeoutMs = this.defaultTimeoutMs): Promise<unknown> {
    if (this.exited) return Promise.reject(this.exited);
    const id = this.nextId++;
    this.requests++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new V2kError("TIMEOUT", `vSphere ${op} got no answer within ${timeoutMs} ms`, "vCenter is slow or stuck; check it and re-run."),
        );
        // a late reply would be mismatched: this bridge is no longer usable
        this.proc.kill("SIGKILL");
      }, timeoutMs);
      this.pending.set(id, { op, resolve, reject, timer });
      this.proc.stdin!.write(JSON.stringify({ id, op, args }) + "\n");
    });
  }

  private async typed<S extends z.ZodTypeAny>(
    schema: S,
    op: string,
    args: Record<string, unknown>,
    timeoutMs?: number,
  ): Promise<z.output<S>> {
    const raw = await this.call(op, args, timeoutMs);
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      throw new VsphereFault(
        "VSPHERE_FAULT",
        `unexpected ${op} reply from the vSphere bridge: ${parsed.error.issues[0]?.message ?? "invalid"}`,
        "This is a bug or an unsupported vCenter version; report it with events.log.",
        "BadReply",
        op,
      );
    }
    return parsed.data;
  }

  vmList(): Promise<VcenterVmsResult> {
    return this.typed(VcenterVmsResult, "vmList", {});
  }
  inventory(vm: { name: string } | { moref: string }): Promise<R.InventoryResult> {
    return this.typed(R.InventoryResult, "inventory", "name" in vm ? { vm: vm.name } : { moref: vm.moref });
  }
  vmState(moref: string): Promise<R.VmStateResult> {
    return this.typed(R.VmStateResult, "vmState", { moref });
  }
  powerOn(moref: string, timeoutSec = 600): Promise<{ changed: boolean }> {
    return this.typed(R.ChangedFlag, "powerOn", { moref, timeoutSec }, (timeoutSec + 30) * 1000);
  }
  powerOff(moref: string, timeoutSec = 600): Promise<{ changed: boolean }> {
    return this.typed(R.ChangedFlag, "powerOff", { moref, timeoutSec }, (timeoutSec + 30) * 1000);
  }
  /** Asks VMware Tools to shut the guest down; returns at once (poll vmState for poweredOff). */
  shutdownGuest(moref: string): Promise<{ changed: boolean }> {
    return this.typed(R.ChangedFlag, "shutdownGuest", { moref });
  }
  cbtEnable(moref: string): Promise<{ changed: boolean }> {
    return this.typed(R.ChangedFlag, "cbtEnable", { moref, timeoutSec: 600 }, 630_000);
  }
  snapshotCreate(moref: string, name: string, description: string, timeoutSec = 1800): Promise<{ moref: string }> {
    return this.typed(R.SnapshotCreateResult, "snapshotCreate", { moref, name, description, timeoutSec }, (timeoutSec + 30) * 1000);
  }
  /** Remove (and consolidate) one snapshot by moref; {missing:true} when it no longer exists. */
  snapshotRemove(snapshot: string, timeoutSec = 3600): Promise<{ removed: boolean; missing: boolean }> {
    return this.typed(R.SnapshotRemoveResult, "snapshotRemove", { snapshot, timeoutSec }, (timeoutSec + 30) * 1000);
  }
  /** The disks as frozen in a snapshot's config (fileName, changeId, capacity). */
  snapshotDisks(snapshot: string): Promise<R.DiskInfo[]> {
    return this.typed(R.SnapshotDisksResult, "snapshotDisks", { snapshot }).then((r) => r.disks);
  }
  /** QueryChangedDiskAreas paged to full coverage of [0, capacityBytes) (asserted on both sides). */
  async changedAreas(moref: string, snapshot: string, deviceKey: number, changeId: string, capacityBytes: number): Promise<R.QcdaResult> {
    const r = await this.typed(R.QcdaResult, "qcda", { moref, snapshot, deviceKey, changeId, capacityBytes }, 600_000);
    if (r.covered < capacityBytes) {
      throw new VsphereFault(
        "QCDA_INCOMPLETE",
        `changed areas cover ${r.covered} of ${capacityBytes} bytes of disk ${deviceKey}`,
        "Re-run the sync; the disk is rebased if CBT cannot answer.",
        "Coverage",
        "qcda",
      );
    }
    return r;
  }
  /** The session cookie as a Cookie header value, `vmware_soap_session="..."` (a secret: datastore HTTP access only). */
  sessionCookie(): Promise<string> {
    return this.typed(R.CookieResult, "sessionCookie", {}).then((r) => {
      registerSecret(r.cookie.slice(r.cookie.indexOf("=") + 1));
      return r.cookie;
    });
  }

  /** A cheap call; {reauthenticated: true} when the session had expired and the bridge logged in again. */
  ping(): Promise<{ reauthenticated: boolean }> {
    return this.typed(R.PingResult, "ping", {}).then((r) => ({ reauthenticated: r.reauthenticated === true }));
  }

  async close(): Promise<void> {
    if (!this.exited) {
      try {
        await this.call("close", {}, 5000); // logs out; the call's own timer bounds the wait
      } catch {
        /* closing anyway */
      }
    }
    this.proc.stdin?.end();
    const done = this.proc.then(
      () => undefined,
      () => undefined,
    );
    const timer = setTimeout(() => this.proc.kill("SIGKILL"), 3000);
    await done;
    clearTimeout(timer);
  }
}

/** Connect, run fn, always close the bridge. */
export async function withBridge<T>(access: VcenterAccess, fn: (b: VsphereBridge) => Promise<T>, options: BridgeOptions = {}): Promise<T> {
  const bridge = await VsphereBridge.connect(access, options);
  try {
    return await fn(bridge);
  } finally {
    await bridge.close();
  }
}

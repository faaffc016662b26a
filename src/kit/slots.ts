// Counting semaphores shared by every process on the host: a directory per resource ("disks",
// "esxi-host-12", ...) holding at most N slot files slot-0..slot-(N-1). Each slot file is a pid lock
// (pid + process start time), so a slot held by a process that was killed (kill -9, OOM) is taken over
// by the next acquirer. Several resources are taken all or nothing and retried while any is full:
// a copy never sits on a host slot while it waits for a datastore slot, and nothing can deadlock.
import { mkdirSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { acquirePidLock, holderAlive, readLockHolder, type LockHolder, type PidLock } from "./pid-lock";
import { writeFileAtomic } from "./atomic-file";
import { processStartTime } from "./process";

export interface SlotRequest {
  /** Resource name: a directory name under the slots root ([A-Za-z0-9._-], others are replaced). */
  resource: string;
  /** How many holders the resource allows (the caller's limit; 0 or less: unlimited, nothing taken). */
  limit: number;
}

export interface SlotBusy {
  resource: string;
  limit: number;
  holders: LockHolder[];
}

export interface SlotHold {
  held: { resource: string; slot: number }[];
  release(): void;
}

export interface AcquireOptions {
  /** Recorded in the slot file and in the waiter file: who holds or waits (e.g. "web01 disk 2000"). */
  holder: string;
  /** Called once when the first attempt finds a resource full, and again when what blocks changes. */
  onWait?: (busy: SlotBusy[]) => void;
  signal?: AbortSignal;
  pollMs?: number;
  /** Extra facts written to the waiter file (status readers match on them, e.g. the workdir). */
  waiterInfo?: Record<string, unknown>;
}

export function resourceDirName(resource: string): string {
  return resource.replace(/[^A-Za-z0-9._-]/g, "_");
}

const notFree = () => new Error("slot busy");

function tryOne(root: string, req: SlotRequest, holder: string): { lock: PidLock; slot: number } | null {
  const dir = join(root, resourceDirName(req.resource));
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  for (let i = 0; i < req.limit; i++) {
    try {
      return { lock: acquirePidLock(join(dir, `slot-${i}`), holder, notFree), slot: i };
    } catch (e) {
      if ((e as Error).message !== "slot busy") throw e;
    }
  }
  return null;
}

/** Live holders of a resource's slots (stale files of dead processes are not counted). */
export function slotHolders(root: string, resource: string): LockHolder[] {
  const dir = join(root, resourceDirName(resource));
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /^slot-\d+$/.test(n));
  } catch {
    return [];
  }
  return names.map((n) => readLockHolder(join(dir, n))).filter((h): h is LockHolder => h !== null && holderAlive(h));
}

/** Takes one slot of every requested resource at once, or none. */
export function tryAcquireSlots(root: string, requests: SlotRequest[], holder: string): SlotHold | SlotBusy[] {
  const taken: { lock: PidLock; resource: string; slot: number }[] = [];
  const busy: SlotBusy[] = [];
  for (const req of requests) {
    if (req.limit <= 0) continue;
    const got = tryOne(root, req, holder);
    if (got) taken.push({ ...got, resource: req.resource });
    else busy.push({ resource: req.resource, limit: req.limit, holders: slotHolders(root, req.resource) });
  }
  const releaseAll = () => {
    for (const t of taken) t.lock.release();
  };
  if (busy.length > 0) {
    releaseAll();
    return busy;
  }
  return { held: taken.map((t) => ({ resource: t.resource, slot: t.slot })), release: releaseAll };
}

const waiterSeq = { n: 0 };

/** Waits until one slot of every resource is free and takes them; a waiter file says who waits for what. */
export async function acquireSlots(root: string, requests: SlotRequest[], o: AcquireOptions): Promise<SlotHold> {
  let waiterFile: string | null = null;
  let lastBlock = "";
  try {
    for (;;) {
      if (o.signal?.aborted) throw o.signal.reason;
      const r = tryAcquireSlots(root, requests, o.holder);
      if (!Array.isArray(r)) return r;
      const block = r.map((b) => `${b.resource}:${b.holders.map((h) => `${h.pid}/${h.command}`).join(",")}`).join(";");
      if (block !== lastBlock) {
        lastBlock = block;
        waiterFile ??= join(root, "waiting", `${process.pid}-${++waiterSeq.n}.json`);
        mkdirSync(join(root, "waiting"), { recursive: true, mode: 0o755 });
        const info = { pid: process.pid, procStart: processStartTime(process.pid), holder: o.holder, since: new Date().toISOString() };
        const waitingFor = r.map((b) => ({ ...b, holders: b.holders.map((h) => h.command) }));
        writeFileAtomic(waiterFile, JSON.stringify({ ...info, ...o.waiterInfo, for: waitingFor }), 0o644);
        o.onWait?.(r);
      }
      await pause(o.pollMs ?? 500, o.signal);
    }
  } finally {
    if (waiterFile) rmSync(waiterFile, { force: true });
  }
}

export interface Waiter {
  pid: number;
  holder: string;
  since: string;
  for: { resource: string; limit: number; holders: string[] }[];
  [k: string]: unknown;
}

/** Processes waiting for slots right now (files of dead waiters are ignored). */
export function slotWaiters(root: string): Waiter[] {
  const dir = join(root, "waiting");
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith(".json"));
  } catch {
    return [];
  }
  const out: Waiter[] = [];
  for (const n of names) {
    const h = readLockHolderLike(join(dir, n));
    if (h && holderAlive({ pid: h.pid, procStart: String(h["procStart"] ?? ""), host: "", startedAt: "", command: "" })) out.push(h);
  }
  return out;
}

function readLockHolderLike(path: string): Waiter | null {
  try {
    const v = JSON.parse(readFileSync(path, "utf8")) as Waiter;
    return typeof v.pid === "number" ? v : null;
  } catch {
    return null;
  }
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

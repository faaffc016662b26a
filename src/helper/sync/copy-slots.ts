// Host-wide copy scheduling: before a disk copy starts it takes one slot of each shared resource
// (all disk copies of the host, the VM's ESXi host, the disk's datastore: vCenter's NFC limits),
// waiting, and saying for what, while any is full. The slots also tell the pacer how many copies
// share the host-wide and the migration's bandwidth. Host morefs and datastore names key the caps
// (two vCenters sharing a name share a cap: the safe side).
import { type Disk, type Manifest } from "../../shared/manifest";
import { acquireSlots, slotHolders, slotWaiters, type SlotBusy, type SlotRequest, type Waiter } from "../../kit/slots";
import { type SlotWait } from "../../shared/results";
import { hostCopyLimits, type HostCopyLimits } from "../config/host-config";
import { type Workdir } from "../state/workdir";
import { Pacer } from "./pacing";
import { say } from "../../shared/i18n/lang";

export const ALL_COPIES = "disks";
/** Every copy also registers here (no real cap): counting the copies that share bandwidth. */
const ACTIVE = "active-copies";
const ACTIVE_CAP = 4096;

export interface CopyLimits extends HostCopyLimits {
  /** This migration's own bandwidth limit, MB/s (0: none). */
  migrationBwlimitMBps: number;
}

export function copySlotRequests(m: Manifest, disk: Disk, l: HostCopyLimits): SlotRequest[] {
  const reqs: SlotRequest[] = [{ resource: ALL_COPIES, limit: l.maxParallelDisks }];
  if (m.vm.host) reqs.push({ resource: `esxi-${m.vm.host}`, limit: l.maxDisksPerEsxiHost });
  reqs.push({ resource: `datastore-${disk.datastore}`, limit: l.maxDisksPerDatastore });
  reqs.push({ resource: ACTIVE, limit: ACTIVE_CAP });
  return reqs;
}

/** "host-wide disk copies 2/2 busy (web01 disk 1, ...)": what a waiting copy waits for. */
export function describeBusy(busy: { resource: string; limit: number; holders: string[] }[]): string {
  return busy
    .map((b) => {
      const what =
        b.resource === ALL_COPIES
          ? say("host-wide disk copies", "호스트 전체 디스크 복사")
          : b.resource.startsWith("esxi-")
            ? say("copies from ESXi host", "ESXi 호스트에서 복사")
            : say("copies from datastore", "데이터스토어에서 복사");
      const name = b.resource === ALL_COPIES ? "" : ` ${b.resource.slice(b.resource.indexOf("-") + 1)}`;
      const holders = `${b.holders.length}/${b.limit}`;
      return `${what}${name} ${say(`${holders} busy`, `${holders} 사용 중`)} (${b.holders.join(", ") || "-"})`;
    })
    .join("; ");
}

/** The workdir's disk copies waiting for slots right now (all waiters read once: `list` asks for many workdirs). */
export function slotWaitsOf(workdir: string, waiters: Waiter[] = slotWaiters(hostCopyLimits().slotsDir)): SlotWait[] {
  return waiters
    .filter((w) => w["workdir"] === workdir)
    .map((w) => ({ disk: Number(w["disk"]), since: w.since, for: describeBusy(w.for) }));
}

function busyNames(b: SlotBusy) {
  return { ...b, holders: b.holders.map((h) => h.command) };
}

function holderName(m: Manifest, disk: Disk): string {
  return `${m.vm.name} ${disk.label} (${m.runId})`;
}

/** Takes the disk's slots (waiting while full) and returns them with the pacer for its share of bandwidth. */
export async function acquireCopySlots(
  wd: Workdir,
  disk: Disk,
  limits: CopyLimits,
  step: string,
  signal: AbortSignal,
): Promise<{ release(): void; pacer: Pacer }> {
  const m = wd.manifest;
  let waited = false;
  const hold = await acquireSlots(limits.slotsDir, copySlotRequests(m, disk, limits), {
    holder: holderName(m, disk),
    signal,
    waiterInfo: { workdir: wd.path, vm: m.vm.name, disk: disk.key },
    onWait: (busy) => {
      waited = true;
      const full = describeBusy(busy.map(busyNames));
      const message = say(`${disk.label}: waiting for a copy slot: ${full}`, `${disk.label}: 복사 슬롯을 기다립니다: ${full}`);
      wd.emitter.emit({ type: "log", level: "info", step, message, disk: disk.key, slot: "waiting" });
    },
  });
  if (waited) {
    const message = say(`${disk.label}: got a copy slot`, `${disk.label}: 복사 슬롯을 얻었습니다`);
    wd.emitter.emit({ type: "log", level: "info", step, message, disk: disk.key, slot: "granted" });
  }
  const share = () => {
    const active = slotHolders(limits.slotsDir, ACTIVE);
    const mine = active.filter((h) => h.pid === process.pid).length || 1;
    const host = limits.bwlimitMBps > 0 ? (limits.bwlimitMBps * 1e6) / Math.max(1, active.length) : Infinity;
    const own = limits.migrationBwlimitMBps > 0 ? (limits.migrationBwlimitMBps * 1e6) / mine : Infinity;
    return Math.min(host, own);
  };
  return { release: () => hold.release(), pacer: new Pacer(share) };
}

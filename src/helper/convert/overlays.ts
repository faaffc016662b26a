// qcow2 overlays over the copied disks: virt-v2v writes into them, so a failed conversion leaves the
// copied disks exactly as copied. On success the overlays' own clusters are the blocks conversion
// changed (recorded for verify), then committed into the targets.
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { type Disk, type Manifest } from "../../shared/manifest";
import { qemuFilename } from "../endpoints/qemu-nbd";
import { rbdTargetSpec } from "../storage/rbd/index";
import { exec } from "../../kit/exec";

export interface Overlay {
  diskKey: number;
  path: string;
}

/** A range [offset, length] the overlay holds (data or zeroes written by the conversion). */
export type ChangedRange = [number, number];

export function overlayDir(workdir: string): string {
  return join(workdir, "convert");
}

export function overlayPath(workdir: string, d: Disk): string {
  return join(overlayDir(workdir), `disk-${d.key}.qcow2`);
}

/** The backing of an overlay: the target as qemu opens it (file, block device, or rbd with the run's conf and id). */
function backing(d: Disk, m: Pick<Manifest, "target">): { file: string; format: "raw" | "qcow2" } {
  const file = d.target.mode === "rbd" ? qemuFilename(rbdTargetSpec(d, m)) : d.target.path;
  return { file, format: d.target.format };
}

export async function createOverlays(workdir: string, m: Pick<Manifest, "disks" | "target">, signal?: AbortSignal): Promise<Overlay[]> {
  rmSync(overlayDir(workdir), { recursive: true, force: true });
  mkdirSync(overlayDir(workdir), { recursive: true, mode: 0o700 });
  const out: Overlay[] = [];
  for (const d of m.disks) {
    const b = backing(d, m);
    const path = overlayPath(workdir, d);
    await exec("qemu-img", ["create", "-q", "-f", "qcow2", "-F", b.format, "-b", b.file, path], {
      timeoutMs: 60_000, ...(signal ? { signal } : {}),
    });
    out.push({ diskKey: d.key, path });
  }
  return out;
}

interface MapEntry {
  start: number;
  length: number;
  depth: number;
  data: boolean;
  zero: boolean;
  present?: boolean;
}

/** Ranges stored in the overlay itself (depth 0): what conversion wrote, zeroed or discarded. */
export function overlayRanges(entries: MapEntry[]): ChangedRange[] {
  const out: ChangedRange[] = [];
  for (const e of entries) {
    if (e.depth !== 0 || e.present === false || (!e.data && !e.zero)) continue;
    const last = out[out.length - 1];
    if (last && last[0] + last[1] === e.start) last[1] += e.length;
    else out.push([e.start, e.length]);
  }
  return out;
}

export async function changedRanges(o: Overlay, signal?: AbortSignal): Promise<ChangedRange[]> {
  const r = await exec("qemu-img", ["map", "--output=json", "-f", "qcow2", o.path], { timeoutMs: 300_000, ...(signal ? { signal } : {}) });
  return overlayRanges(JSON.parse(r.stdout) as MapEntry[]);
}

/** Writes the overlay's clusters into its backing target (idempotent: a resumed commit writes the same). */
export async function commitOverlay(o: Overlay, signal?: AbortSignal): Promise<void> {
  await exec("qemu-img", ["commit", "-q", "-f", "qcow2", o.path], { timeoutMs: 3_600_000, ...(signal ? { signal } : {}) });
}

export function removeOverlays(workdir: string): void {
  rmSync(overlayDir(workdir), { recursive: true, force: true });
}

// qcow2 overlays over the copied disks: virt-v2v writes into them, so a failed conversion leaves the
// copied disks exactly as copied. On success the overlays' own clusters are the blocks conversion
// changed (recorded for verify), then committed into the targets.
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { type Disk, type Manifest } from "../../shared/manifest";
import { exec } from "../../kit/exec";
import { qemuFilenameOf, qemuFormatOf } from "../disk-access/index";

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

/**
 * The backing of an overlay: the target as qemu opens it. An RBD image carries the run's ceph.conf
 * and client id (rbd:pool/image:conf=...:id=...): the bare name would reach only the host's default
 * cluster as client.admin. The key itself stays in the keyring the conf names.
 */
export function overlayBacking(d: Disk, m: Pick<Manifest, "target">): { file: string; format: "raw" | "qcow2" } {
  return { file: qemuFilenameOf(d, m), format: qemuFormatOf(d, m) };
}

export async function createOverlays(workdir: string, m: Pick<Manifest, "target" | "disks">, signal?: AbortSignal): Promise<Overlay[]> {
  rmSync(overlayDir(workdir), { recursive: true, force: true });
  mkdirSync(overlayDir(workdir), { recursive: true, mode: 0o700 });
  const out: Overlay[] = [];
  for (const d of m.disks) {
    const b = overlayBacking(d, m);
    const path = overlayPath(workdir, d);
    await exec("qemu-img", ["create", "-q", "-f", "qcow2", "-F", b.format, "-b", b.file, path], {
      timeoutMs: 60_000,
      ...(signal ? { signal } : {}),
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

// The target choice init and preflight take alike: --target-storage (or its older name --target-mode) with
// the options each storage needs, refused before anything is asked of vCenter when they do not fit.
import { V2kError } from "../../shared/v2k-error";

export type TargetStorage = "file" | "block" | "rbd";

export interface TargetStorageOptions {
  "target-storage"?: TargetStorage | undefined;
  "target-mode"?: TargetStorage | undefined;
}

/** --target-storage and its older name --target-mode: one storage kind, file by default. */
export function targetStorageOf(o: TargetStorageOptions): TargetStorage {
  const a = o["target-storage"];
  const b = o["target-mode"];
  if (a !== undefined && b !== undefined && a !== b) {
    throw new V2kError(
      "USAGE",
      `--target-storage ${a} and --target-mode ${b} disagree`,
      "Give one of them (--target-mode is the older name).",
    );
  }
  return a ?? b ?? "file";
}

export interface TargetRequest {
  targetStorage: TargetStorage;
  dst?: string | undefined;
  targetFormat?: "qcow2" | "raw" | undefined;
  targetDevices: readonly string[];
  rbdPool?: string | undefined;
  targetMapJson?: string | undefined;
}

/** Combinations of targets that cannot work (USAGE). */
export function checkTargetRequest(r: TargetRequest): void {
  const storage = r.targetStorage;
  if (storage !== "file" && r.targetFormat === "qcow2") {
    throw new V2kError("USAGE", `${storage} targets are written raw`, "Drop --target-format qcow2 (or use --target-storage file).");
  }
  if (storage !== "block" && r.targetDevices.length > 0)
    throw new V2kError("USAGE", "--target-device needs --target-storage block", "Add --target-storage block.");
  if (storage === "rbd" && r.rbdPool === undefined && r.targetMapJson === undefined) {
    throw new V2kError(
      "USAGE",
      "rbd targets need --rbd-pool (or --target-map-json)",
      "Add --rbd-pool POOL ('ceph osd pool ls' or 'ablestack_v2k storage pools' lists them).",
    );
  }
  if (storage !== "rbd" && (r.rbdPool !== undefined || r.targetMapJson !== undefined)) {
    throw new V2kError("USAGE", "--rbd-pool and --target-map-json need --target-storage rbd", "Add --target-storage rbd.");
  }
  if (storage !== "rbd" && r.dst === undefined)
    throw new V2kError("USAGE", "--dst is required", "Give the target directory with --dst DIR.");
}

// Block-device targets (`--target-mode block --target-device DISK=/dev/X`): one device per disk,
// each at least as large as the disk. Devices are written raw; the base copy zeroes what the
// source does not list, because a device is not known to read as zeros.
import { readFileSync, statSync } from "node:fs";
import { V2kError } from "../../shared/v2k-error";

/** Size in bytes of a block device (sysfs counts 512-byte sectors). */
export function blockDeviceSize(device: string): number {
  let st;
  try {
    st = statSync(device);
  } catch {
    throw new V2kError(
      "DST_MISSING",
      `target device ${device} does not exist`,
      "Create or attach the volume (LV, LUN, RBD map) and pass it with --target-device.",
    );
  }
  if (!st.isBlockDevice())
    throw new V2kError(
      "DST_MISSING",
      `${device} is not a block device`,
      "Pass a block device (e.g. /dev/vg0/web01-disk0) with --target-device.",
    );
  const major = Math.floor(st.rdev / 256) & 0xfff;
  const minor = (st.rdev & 0xff) | ((st.rdev >> 12) & 0xfff00);
  try {
    return Number(readFileSync(`/sys/dev/block/${major}:${minor}/size`, "utf8").trim()) * 512;
  } catch {
    throw new V2kError(
      "TARGET_IO",
      `cannot read the size of ${device} (/sys/dev/block/${major}:${minor}/size)`,
      "Check that sysfs is mounted and the device is a disk.",
    );
  }
}

/** Parse repeated DISK=DEVICE options; DISK is the 0-based disk index or the device key. */
export function parseTargetDevices(
  specs: readonly string[],
  disks: readonly { key: number; index: number; label: string; capacityBytes: number }[],
): Map<number, string> {
  const out = new Map<number, string>();
  for (const spec of specs) {
    const m = /^(\d+)=(\/.+)$/.exec(spec);
    if (!m)
      throw new V2kError(
        "USAGE",
        `--target-device '${spec}' is not DISK=/dev/PATH`,
        "Use the disk's index (0, 1, ...) or device key (2000, ...), e.g. --target-device 0=/dev/vg0/web01-disk0.",
      );
    const n = Number(m[1]);
    const disk = disks.find((d) => d.key === n) ?? disks.find((d) => d.index === n);
    if (!disk)
      throw new V2kError(
        "USAGE",
        `--target-device ${spec}: the VM has no disk ${n}`,
        `Disks: ${disks.map((d) => `${d.index}/${d.key} ${d.label}`).join(", ")}.`,
      );
    if (out.has(disk.key)) throw new V2kError("USAGE", `--target-device names ${disk.label} twice`, "Give one device per disk.");
    if ([...out.values()].includes(m[2]!)) throw new V2kError("USAGE", `${m[2]} is given for two disks`, "Give every disk its own device.");
    out.set(disk.key, m[2]!);
  }
  const missing = disks.filter((d) => !out.has(d.key));
  if (missing.length > 0) {
    throw new V2kError(
      "USAGE",
      `no --target-device for ${missing.map((d) => `${d.label} (index ${d.index}, key ${d.key})`).join(", ")}`,
      "Block mode needs one device per disk.",
    );
  }
  for (const d of disks) {
    const device = out.get(d.key)!;
    const size = blockDeviceSize(device);
    if (size < d.capacityBytes) {
      throw new V2kError(
        "DST_TOO_SMALL",
        `${device} has ${size} bytes, ${d.label} needs ${d.capacityBytes}`,
        "Grow the volume to at least the disk's size, or pick a larger device.",
      );
    }
  }
  return out;
}

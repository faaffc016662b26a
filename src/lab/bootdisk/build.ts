// Builds a raw disk image that boots Linux under QEMU/KVM to a serial marker line, from Debian
// packages only and without loop devices or mounts: an MBR (syslinux's) + one FAT16 partition made
// with mkfs.fat, filled with mtools, made bootable with `syslinux --install` on the partition image.
import { existsSync } from "node:fs";
import { open, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { V2kError } from "../../shared/v2k-error";
import { exec } from "../../kit/exec";
import { buildInitramfs } from "./initramfs";

/** Installed by pkg/install-deps.sh (the Debian kernel, copied where the lab finds it). */
export const LAB_KERNEL = "/var/lib/ablestack-v2k/lab-kernel/vmlinuz";
export const SYSLINUX_MBR = "/usr/lib/syslinux/mbr/mbr.bin";
export const BUSYBOX = "/bin/busybox";

const SECTOR = 512;
const PART_START_SECTOR = 2048; // 1 MiB, as partitioning tools align
const PART_BYTES = 40 * 1024 * 1024;

export interface BootDiskOptions {
  outPath: string;
  /** Scratch dir for the partition image and its files. */
  workDir: string;
  diskBytes: number;
  /** Printed on the serial console once the guest is up, e.g. "V2K-BOOT-OK boot01". */
  marker: string;
  kernel?: string;
}

export function bootMarker(vmName: string): string {
  return `V2K-BOOT-OK ${vmName}`;
}

function initScript(marker: string): string {
  return [
    "#!/bin/busybox sh",
    "/bin/busybox mount -t proc proc /proc",
    "/bin/busybox mount -t sysfs sysfs /sys",
    `echo "${marker}"`,
    "# stay up like a running guest",
    "while true; do /bin/busybox sleep 3600; done",
    "",
  ].join("\n");
}

const syslinuxCfg = [
  "SERIAL 0 115200",
  "DEFAULT linux",
  "PROMPT 0",
  "TIMEOUT 0",
  "LABEL linux",
  "  KERNEL vmlinuz",
  "  INITRD initrd.gz",
  "  APPEND console=ttyS0,115200 quiet panic=10",
  "",
].join("\n");

export async function buildBootDisk(opts: BootDiskOptions): Promise<void> {
  const kernel = opts.kernel ?? LAB_KERNEL;
  for (const [path, what] of [
    [kernel, "the lab kernel"],
    [SYSLINUX_MBR, "syslinux's MBR"],
    [BUSYBOX, "busybox-static"],
  ] as const) {
    if (!existsSync(path))
      throw new V2kError(
        "TOOL_MISSING",
        `${what} is missing (${path})`,
        "Run 'make deps' (pkg/install-deps.sh) to install the lab's packages.",
      );
  }
  if (opts.diskBytes < PART_START_SECTOR * SECTOR + PART_BYTES)
    throw new Error(`boot disk needs at least ${PART_START_SECTOR * SECTOR + PART_BYTES} bytes`);

  const initrd = buildInitramfs([
    { kind: "dir", path: "bin" },
    { kind: "dir", path: "dev" },
    { kind: "chardev", path: "dev/console", major: 5, minor: 1 },
    { kind: "dir", path: "proc" },
    { kind: "dir", path: "sys" },
    { kind: "file", path: "bin/busybox", data: await readFile(BUSYBOX), mode: 0o755 },
    { kind: "symlink", path: "bin/sh", target: "busybox" },
    { kind: "file", path: "init", data: Buffer.from(initScript(opts.marker)), mode: 0o755 },
  ]);
  const part = join(opts.workDir, "boot-part.img");
  const files = { initrd: join(opts.workDir, "initrd.gz"), cfg: join(opts.workDir, "syslinux.cfg") };
  await writeFile(files.initrd, initrd);
  await writeFile(files.cfg, syslinuxCfg);
  await rm(part, { force: true });
  try {
    const t = { timeoutMs: 60_000 };
    await exec("mkfs.fat", ["-C", "-F", "16", "-h", String(PART_START_SECTOR), "-n", "V2KBOOT", part, String(PART_BYTES / 1024)], t);
    const mtoolsEnv = { MTOOLS_SKIP_CHECK: "1", PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin" };
    await exec("mcopy", ["-i", part, kernel, "::vmlinuz"], { ...t, env: mtoolsEnv });
    await exec("mcopy", ["-i", part, files.initrd, "::initrd.gz"], { ...t, env: mtoolsEnv });
    await exec("mcopy", ["-i", part, files.cfg, "::syslinux.cfg"], { ...t, env: mtoolsEnv });
    await exec("syslinux", ["--install", part], t);

    const fh = await open(opts.outPath, "w", 0o600);
    try {
      await fh.truncate(opts.diskBytes);
    } finally {
      await fh.close();
    }
    const sectors = PART_BYTES / SECTOR;
    await exec("sfdisk", ["--no-reread", "--no-tell-kernel", opts.outPath], {
      ...t,
      input: `label: dos\nlabel-id: 0x56324b42\nunit: sectors\n\nstart=${PART_START_SECTOR}, size=${sectors}, type=6, bootable\n`,
    });
    const out = await open(opts.outPath, "r+");
    try {
      await out.write(await readFile(part), 0, PART_BYTES, PART_START_SECTOR * SECTOR);
      const mbr = await readFile(SYSLINUX_MBR);
      await out.write(mbr, 0, Math.min(440, mbr.length), 0); // boot code only: keep the partition table
      await out.sync();
    } finally {
      await out.close();
    }
  } finally {
    await rm(part, { force: true });
    await rm(files.initrd, { force: true });
    await rm(files.cfg, { force: true });
  }
}

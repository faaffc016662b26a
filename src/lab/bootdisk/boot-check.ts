// Boots a raw disk image in QEMU (TCG, no display, serial to a file) and waits for a marker line on
// the serial console. The image is opened with snapshot=on: the check never changes the disk.
import { execa } from "execa";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { V2kError } from "../../shared/v2k-error";

export interface BootCheckResult {
  booted: boolean;
  seconds: number;
  /** Tail of the serial console output (for diagnostics). */
  console: string;
}

export async function bootToMarker(opts: {
  image: string;
  marker: string;
  timeoutMs: number;
  format?: "raw" | "qcow2";
}): Promise<BootCheckResult> {
  const dir = await mkdtemp(join(tmpdir(), "v2k-bootcheck-"));
  const serial = join(dir, "serial.log");
  const started = Date.now();
  const qemu = execa(
    "qemu-system-x86_64",
    [
      "-machine",
      "pc,accel=tcg",
      "-m",
      "256",
      "-nodefaults",
      "-display",
      "none",
      "-monitor",
      "none",
      "-no-reboot",
      "-serial",
      `file:${serial}`,
      "-drive",
      `file=${opts.image},format=${opts.format ?? "raw"},if=ide,snapshot=on`,
    ],
    { stdin: "ignore", reject: false, timeout: opts.timeoutMs + 5000 },
  );
  try {
    let text = "";
    while (Date.now() - started < opts.timeoutMs) {
      if (qemu.exitCode !== null) break;
      text = await readFile(serial, "utf8").catch(() => "");
      if (text.split(/\r?\n/).some((l) => l.trim() === opts.marker)) {
        return { booted: true, seconds: (Date.now() - started) / 1000, console: text.slice(-2000) };
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    if (qemu.exitCode !== null) {
      const r = await qemu;
      if ((r as { code?: string }).code === "ENOENT")
        throw new V2kError("TOOL_MISSING", "qemu-system-x86_64 is not installed", "Run 'make deps' (pkg/install-deps.sh).");
      text = await readFile(serial, "utf8").catch(() => "");
      return {
        booted: false,
        seconds: (Date.now() - started) / 1000,
        console: `${text.slice(-2000)}\n[qemu exited ${r.exitCode}: ${String(r.stderr).slice(-500)}]`,
      };
    }
    return { booted: false, seconds: (Date.now() - started) / 1000, console: text.slice(-2000) };
  } finally {
    if (qemu.exitCode === null) qemu.kill("SIGKILL");
    await qemu.catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

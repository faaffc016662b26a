// Host tools the migration needs, found through PATH (the same lookup the data path uses).
import { exec } from "../../kit/exec";
import { V2kError } from "../../shared/v2k-error";
import { say } from "../../shared/i18n/lang";

export interface ToolStatus {
  tool: string;
  ok: boolean;
  reason: string;
}

async function probe(tool: string, file: string, args: string[]): Promise<ToolStatus> {
  try {
    await exec(file, args, { timeoutMs: 20_000 });
    return { tool, ok: true, reason: say("present", "있음") };
  } catch (e) {
    if (e instanceof V2kError && e.code === "TOOL_MISSING")
      return { tool, ok: false, reason: say(`${file} not found in PATH`, `PATH에서 ${file}을(를) 찾지 못함`) };
    return { tool, ok: false, reason: e instanceof V2kError ? e.message : String(e) };
  }
}

export async function checkHostTools(transport: "http" | "vddk"): Promise<ToolStatus[]> {
  const python = process.env.V2K_PYTHON ?? "/usr/bin/python3";
  const plugin = transport === "http" ? "curl" : "vddk";
  return Promise.all([
    probe("qemu-img", "qemu-img", ["--version"]),
    probe("qemu-nbd", "qemu-nbd", ["--version"]),
    probe(`nbdkit ${plugin} plugin`, "nbdkit", ["--dump-plugin", plugin]),
    probe("virsh", "virsh", ["--version"]),
    probe("python3 + pyvmomi", python, ["-c", "import pyVmomi, pyVim.connect"]),
  ]);
}

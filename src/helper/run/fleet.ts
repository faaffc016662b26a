// Fleet mode: `run --vm a,b,c` or `run --fleet FILE` starts one detached `run` per VM with the same
// options, each in its own workdir (init's default, <state root>/<vm>/<run-id>) and its own target
// directory DST/<vm>. A thin layer: each VM goes through the single-VM preflight + init and the job
// service exactly as `run --detach` does; the host's copy slots keep the VMs from overloading it.
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { V2kError, toErrorInfo } from "../../shared/v2k-error";
import { type ErrorInfo } from "../../shared/errors";

/** The VMs of a fleet: a comma list, or a file with one name per line (# comments; names may hold commas). */
export function fleetVms(vm: string | undefined, file: string | undefined): string[] | null {
  let names: string[];
  if (file !== undefined) {
    names = readFileSync(file, "utf8")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l !== "" && !l.startsWith("#"));
  } else if (vm !== undefined && vm.includes(",")) {
    names = vm.split(",").map((n) => n.trim());
  } else return null;
  if (names.length === 0 || names.some((n) => n === "")) {
    throw new V2kError("USAGE", "the fleet names an empty VM", "List VM names separated by commas (or one per line in --fleet FILE).");
  }
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) throw new V2kError("USAGE", `the fleet names ${JSON.stringify(dup)} twice`, "Name each VM once.");
  const dirs = names.map(vmDirName);
  const clash = dirs.find((d, i) => dirs.indexOf(d) !== i);
  if (clash !== undefined) {
    throw new V2kError(
      "USAGE",
      `two VMs of the fleet map to the target directory '${clash}'`,
      "Migrate one of them on its own with --dst.",
    );
  }
  return names;
}

/** A VM's directory under the fleet's --dst: its name with anything but [A-Za-z0-9._-] as '_' (never '..'). */
export function vmDirName(vm: string): string {
  const safe = vm.replace(/[^A-Za-z0-9._-]/g, "_");
  return /^\.*$/.test(safe) ? safe.replace(/\./g, "_") || "_" : safe;
}

export function fleetDst(dst: string, vm: string): string {
  const dir = join(dst, vmDirName(vm));
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  return dir;
}

/** The run's own arguments for each VM's detached run: without the fleet's --vm, --dst and --fleet. */
export function stripFleetArgs(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--vm" || a === "--dst" || a === "--fleet") {
      i++;
      continue;
    }
    if (a.startsWith("--vm=") || a.startsWith("--dst=") || a.startsWith("--fleet=")) continue;
    out.push(a);
  }
  return out;
}

export interface FleetMember {
  vm: string;
  workdir?: string;
  runId?: string;
  error?: ErrorInfo;
  [k: string]: unknown;
}

/** Starts every VM in turn; one VM's refusal (preflight No-Go, ...) is reported and the others still start. */
export async function startFleet(vms: string[], start: (vm: string) => Promise<Record<string, unknown>>): Promise<FleetMember[]> {
  const out: FleetMember[] = [];
  for (const vm of vms) {
    try {
      out.push({ vm, ...(await start(vm)) });
    } catch (e) {
      out.push({ vm, error: toErrorInfo(e) });
    }
  }
  if (out.every((m) => m.error)) {
    const first = out[0]!.error!;
    throw new V2kError(first.code, `no VM of the fleet started: ${out.map((m) => `${m.vm}: ${m.error!.message}`).join("; ")}`, first.hint);
  }
  return out;
}

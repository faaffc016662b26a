// Boot check: start a transient copy of the migrated domain with no network, on throw-away qcow2
// overlays (the target disks stay exactly as synced), wait for a boot marker on the serial console
// or an answer of the guest agent, report, and destroy it.
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { type Manifest } from "../../shared/manifest";
import { V2kError } from "../../shared/v2k-error";
import { type DomainPolicy } from "../libvirt/domain-policy";
import { buildDomainXml, firmwareOf } from "../libvirt/domain-xml";
import { domainRunId } from "../libvirt/define";
import { type Virsh } from "../libvirt/virsh";
import { validateDomainXml } from "../libvirt/validate";
import { exec } from "../../kit/exec";
import { qemuFilenameOf, qemuFormatOf } from "../disk-access/index";

export interface BootCheckOptions {
  /** Text (or regular expression source with re:) that proves the guest booted. */
  marker: string;
  timeoutSec: number;
  /** Also accept an answer of the qemu guest agent (guest-ping). */
  agent: boolean;
  signal?: AbortSignal;
}

export interface BootCheckResult {
  ok: boolean;
  via: "console" | "agent" | null;
  seconds: number;
  marker: string;
  consoleTail: string;
}

export function bootCheckDomainName(domain: string): string {
  return `${domain}-v2k-boot-check`;
}

export function bootCheckDir(workdir: string): string {
  return join(workdir, "boot-check");
}

/** A boot check interrupted by kill -9 leaves its transient domain running on overlays: stop it. */
export async function removeBootCheckLeftovers(virsh: Virsh, workdir: string, domain: string, runId: string): Promise<boolean> {
  const name = bootCheckDomainName(domain);
  const xml = await virsh.dumpXml(name);
  let stopped = false;
  if (xml !== null && domainRunId(xml) === runId) stopped = await virsh.destroy(name);
  rmSync(bootCheckDir(workdir), { recursive: true, force: true });
  return stopped;
}

function markerRegex(marker: string): RegExp {
  return marker.startsWith("re:") ? new RegExp(marker.slice(3)) : new RegExp(marker.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
}

async function agentAnswers(virsh: Virsh, name: string): Promise<boolean> {
  try {
    await virsh.run(["qemu-agent-command", name, '{"execute":"guest-ping"}', "--timeout", "2"], { timeoutMs: 10_000 });
    return true;
  } catch {
    return false;
  }
}

export async function bootCheck(
  m: Manifest,
  workdir: string,
  base: DomainPolicy,
  virsh: Virsh,
  o: BootCheckOptions,
): Promise<BootCheckResult> {
  const real = await virsh.domState(base.name);
  if (real === "running" || real === "paused") {
    throw new V2kError(
      "PHASE_ORDER",
      `the domain '${base.name}' is ${real}: a boot check needs its disks unused`,
      `Shut it down first (virsh shutdown ${base.name}), or watch its own console instead.`,
    );
  }
  const dir = bootCheckDir(workdir);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const name = bootCheckDomainName(base.name);
  const consoleLog = join(dir, "console.log");
  try {
    const overlays = new Map<number, { path: string; format: "qcow2" }>();
    for (const d of m.disks) {
      const overlay = join(dir, `disk-${d.key}.qcow2`);
      const backing = ["-F", qemuFormatOf(d, m), "-b", qemuFilenameOf(d, m)];
      await exec("qemu-img", ["create", "-q", "-f", "qcow2", ...backing, overlay], { timeoutMs: 60_000 });
      overlays.set(d.key, { path: overlay, format: "qcow2" });
    }
    const policy: DomainPolicy = {
      ...base,
      name,
      uuid: randomUUID(),
      noNetwork: true,
      diskSources: overlays,
      consoleLogPath: consoleLog,
      graphics: "none",
      ...(firmwareOf(m, base) !== "bios" ? { nvramPath: join(dir, "VARS.fd") } : {}),
    };
    const xml = buildDomainXml(m, policy);
    await validateDomainXml(xml, o.signal);
    await virsh.destroy(name); // a leftover of an interrupted check
    const t0 = Date.now();
    await virsh.create(xml);
    const re = markerRegex(o.marker);
    let via: BootCheckResult["via"] = null;
    let lastAgent = 0;
    while (Date.now() - t0 < o.timeoutSec * 1000) {
      if (o.signal?.aborted) throw o.signal.reason;
      const text = existsSync(consoleLog) ? readFileSync(consoleLog, "utf8") : "";
      if (re.test(text)) {
        via = "console";
        break;
      }
      if (o.agent && Date.now() - lastAgent > 5000) {
        lastAgent = Date.now();
        if (await agentAnswers(virsh, name)) {
          via = "agent";
          break;
        }
      }
      const state = await virsh.domState(name);
      // off, crashed or paused by a hypervisor error: waiting longer cannot help
      if (state === null || state === "shut off" || state === "crashed" || state === "paused") break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const seconds = (Date.now() - t0) / 1000;
    const text = existsSync(consoleLog) ? readFileSync(consoleLog, "utf8") : "";
    return { ok: via !== null, via, seconds, marker: o.marker, consoleTail: text.slice(-2000) };
  } finally {
    await virsh.destroy(name).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

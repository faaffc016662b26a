// A migration's report for the record: the manifest as JSON (what the helper wrote, no secrets: the manifest
// holds none) and a readable summary of the same facts. Both are files the browser downloads.
import { type Manifest } from "../../../shared/manifest";
import { formatBytes, formatDuration } from "../../format";

export function reportFileBase(m: Manifest): string {
  return `ablestack-v2k-${m.vm.name.replace(/[^A-Za-z0-9._-]+/g, "_")}-${m.runId}`;
}

export function reportJson(m: Manifest, workdir: string): string {
  return JSON.stringify({ kind: "ablestack-v2k-report", workdir, manifest: m }, null, 2) + "\n";
}

function line(label: string, value: string | undefined): string {
  return `${label.padEnd(18)} ${value ?? "-"}`;
}

export function reportSummary(m: Manifest, workdir: string): string {
  const out = [
    `ablestack-v2k migration report`,
    line("VM", `${m.vm.name} (${m.vm.moref}, uuid ${m.vm.uuid})`),
    line("vCenter", m.vcenter.url),
    line("Run", m.runId),
    line("Workdir", workdir),
    line("Created", m.createdAt),
    line("Phase", m.phase),
    line("Target", `${m.target.mode} ${m.target.format} in ${m.target.dir}`),
    "",
    "Disks:",
    ...m.disks.map((d) => `  ${d.label}  ${formatBytes(d.capacityBytes)}  -> ${d.target.path}`),
    "",
    "Rounds:",
    ...m.rounds.map(
      (r) =>
        `  #${r.n} ${r.kind.padEnd(5)} ${r.status.padEnd(8)} changed ${formatBytes(r.changedBytes)}, ` +
        `copied ${formatBytes(r.copiedBytes)} in ${r.durationMs !== undefined ? formatDuration(r.durationMs) : "-"}`,
    ),
  ];
  const c = m.cutover;
  if (c) {
    out.push("", "Cutover:", line("  Shutdown", c.shutdownMode), line("  Source off", c.sourceOffAt));
    out.push(line("  Defined", c.definedAt), line("  Started", c.startedAt), line("  Domain", c.domainName));
    out.push(line("  Downtime", c.downtimeMs !== undefined ? formatDuration(c.downtimeMs) : undefined));
  }
  if (m.verify.length > 0) out.push("", "Verify:", ...m.verify.map((v) => `  ${v.at} ${v.mode} ${v.ok ? "ok" : "MISMATCH"}`));
  if (m.rollback) out.push("", line("Rolled back", `${m.rollback.at}, source powered on: ${m.rollback.sourcePoweredOn}`));
  if (m.cleanup) out.push(line("Cleaned up", m.cleanup.at));
  if (m.lastError) out.push("", line("Last error", `${m.lastError.code}: ${m.lastError.message}`), line("Hint", m.lastError.hint));
  return out.join("\n") + "\n";
}

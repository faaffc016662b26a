// Monitor addresses from ceph.conf's mon_host, for the domain XML's <host> elements. libvirt hands them
// to qemu without a messenger prefix: port 3300 means msgr v2, 6789 (and no port) msgr v1.
import { exec } from "../../../kit/exec";
import { V2kError } from "../../../shared/v2k-error";

export interface MonitorHost {
  host: string;
  port: number;
}

/** Parses "[v2:1.2.3.4:3300,v1:1.2.3.4:6789] 5.6.7.8:6789,[::1]:3300 host" into one address per monitor. */
export function parseMonHost(value: string): MonitorHost[] {
  const out: MonitorHost[] = [];
  const monitors = value.match(/\[(?:v[12]:[^\]]*)\]|[^\s,;]+/g) ?? [];
  for (const mon of monitors) {
    const addrs = mon.startsWith("[v") ? mon.slice(1, -1).split(",") : [mon];
    const parsed = addrs.map(parseAddr).filter((a): a is MonitorHost & { v: number } => a !== null);
    const pick = parsed.find((a) => a.v === 2) ?? parsed[0];
    if (pick) out.push({ host: pick.host, port: pick.port });
  }
  return out;
}

function parseAddr(text: string): (MonitorHost & { v: number }) | null {
  let t = text.trim().replace(/\/\d+$/, "");
  const v = t.startsWith("v2:") ? 2 : t.startsWith("v1:") ? 1 : 0;
  if (v !== 0) t = t.slice(3);
  let host = t;
  let port: number | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(t);
  if (bracketed) {
    host = bracketed[1]!;
    if (bracketed[2] !== undefined) port = Number(bracketed[2]);
  } else if (t.split(":").length === 2) {
    [host] = t.split(":") as [string];
    port = Number(t.split(":")[1]);
  }
  if (host === "" || (port !== undefined && !(port > 0 && port < 65536))) return null;
  return { host, port: port ?? (v === 2 ? 3300 : 6789), v };
}

export async function monitorHosts(conf: string): Promise<MonitorHost[]> {
  const r = await exec("ceph-conf", ["-c", conf, "--lookup", "mon_host"], { timeoutMs: 20_000, okCodes: [0, 1] });
  const hosts = r.exitCode === 0 ? parseMonHost(r.stdout.trim()) : [];
  if (hosts.length === 0) {
    throw new V2kError("CEPH_UNREACHABLE", `${conf} names no monitor (mon_host)`, "Give the cluster's ceph.conf with --ceph-conf.");
  }
  return hosts;
}

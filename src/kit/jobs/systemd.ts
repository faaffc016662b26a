// The systemd side of a detached job: a transient unit (`systemd-run --unit ablestack-v2k-<name>`) whose
// properties carry no secret (the secret is the unit's stdin, a file systemd opens before we delete it).
import { existsSync } from "node:fs";
import { join } from "node:path";

export const UNIT_PREFIX = "ablestack-v2k-";

/** Transient unit names allow [a-zA-Z0-9:_.-]; other characters become '_'. */
export function unitNameFor(name: string): string {
  return `${UNIT_PREFIX}${name}`.replace(/[^a-zA-Z0-9:_.-]/g, "_");
}

/** systemd-run needs systemd as PID 1 (containers and CI runners often have something else). */
export function systemdIsInit(): boolean {
  return existsSync("/run/systemd/system");
}

/** Settings a unit does not inherit (systemd starts it with a clean environment); never a secret. */
export function passedEnvironment(env: NodeJS.ProcessEnv): string[] {
  const kept = /^(ABLESTACK_V2K_|V2K_)/;
  const locale = /^(PATH|LANG|LC_ALL|LC_MESSAGES)$/; // PATH finds the tools; the locale picks the job's language
  return Object.entries(env)
    .filter(([k, v]) => v !== undefined && (kept.test(k) || /^GOVC_(URL|USERNAME|THUMBPRINT|INSECURE)$/.test(k) || locale.test(k)))
    .filter(([k]) => !/PASSWORD|SECRET|TOKEN|KEY/i.test(k))
    .map(([k, v]) => `--setenv=${k}=${k === "GOVC_URL" ? withoutCredentials(v!) : v}`);
}

/** govc accepts https://user:pass@host in GOVC_URL; a unit's argv and environment must not carry it. */
export function withoutCredentials(url: string): string {
  try {
    const u = new URL(url);
    u.username = "";
    u.password = "";
    return u.toString();
  } catch {
    return url.replace(/\/\/[^/@]*@/, "//");
  }
}

export interface SystemdRunSpec {
  unit: string;
  /** The job's directory: its log is appended there. */
  dir: string;
  log: string;
  /** A 0600 file holding the job's stdin (the secret), or undefined for none. */
  stdinFile: string | undefined;
  argv: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** Type=exec: systemd-run returns once the command was executed, so its stdin file is open by then. */
export function systemdRunArgv(s: SystemdRunSpec): string[] {
  const log = join(s.dir, s.log);
  return [
    "systemd-run",
    "--unit",
    s.unit,
    "--collect",
    "--quiet",
    "-p",
    "Type=exec",
    "-p",
    s.stdinFile === undefined ? "StandardInput=null" : `StandardInput=file:${s.stdinFile}`,
    "-p",
    `StandardOutput=append:${log}`,
    "-p",
    `StandardError=append:${log}`,
    `--working-directory=${s.cwd}`,
    ...passedEnvironment(s.env),
    "--",
    ...s.argv,
  ];
}

// The one door to the ceph/rbd CLIs: `-c CONF --id NAME` on every call, argv arrays through the exec
// adapter, and the CLIs' failures turned into our errors here. Keys never pass through argv.
import { CEPH_DEFAULTS } from "../../../shared/requests/commands";
import { existsSync } from "node:fs";
import { exec } from "../../../kit/exec";
import { V2kError } from "../../../shared/v2k-error";

export const DEFAULT_CEPH_CONF = CEPH_DEFAULTS.conf;
export const DEFAULT_CEPH_ID = CEPH_DEFAULTS.id;

export interface CephAccess {
  /** ceph.conf path (monitors, keyring). */
  conf: string;
  /** Client id without "client.". */
  id: string;
}

export interface CephCallOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Exit codes that are answers, not failures (rbd info says 2 for a missing image). */
  okCodes?: number[];
}

export class CephCli {
  constructor(readonly access: CephAccess) {}

  async ceph(args: readonly string[], o: CephCallOptions = {}): Promise<{ stdout: string; exitCode: number }> {
    return this.run("ceph", ["--connect-timeout", "20", ...args], o);
  }

  async rbd(args: readonly string[], o: CephCallOptions = {}): Promise<{ stdout: string; exitCode: number; stderr: string }> {
    return this.run("rbd", args, o);
  }

  private async run(file: string, args: readonly string[], o: CephCallOptions) {
    if (!existsSync(this.access.conf)) {
      throw new V2kError(
        "CEPH_UNREACHABLE",
        `the Ceph configuration ${this.access.conf} does not exist`,
        "Give the cluster's ceph.conf with --ceph-conf (its monitors and keyring).",
      );
    }
    const argv = ["-c", this.access.conf, "--id", this.access.id, ...args];
    try {
      const r = await exec(file, argv, {
        timeoutMs: o.timeoutMs ?? 60_000,
        ...(o.signal ? { signal: o.signal } : {}),
        okCodes: o.okCodes ?? [0],
      });
      return r;
    } catch (e) {
      throw cephError(file, this.access, e);
    }
  }
}

/** Turn a ceph/rbd failure into a code an operator can act on. */
function cephError(file: string, access: CephAccess, e: unknown): unknown {
  if (!(e instanceof V2kError)) return e;
  if (e.code === "TOOL_MISSING") {
    return new V2kError("TOOL_MISSING", `${file} is not installed`, "Install ceph-common (and qemu-block-extra) on this host.", {
      cause: e,
    });
  }
  const text = `${e.message}\n${e.detail ?? ""}`;
  if (
    e.code === "TIMEOUT" ||
    /error connecting to the cluster|Error initializing cluster client|RADOS timed out|unable to get monitor info|did not load config file|can't open/i.test(
      text,
    )
  ) {
    return new V2kError(
      "CEPH_UNREACHABLE",
      `cannot reach the Ceph cluster with ${access.conf} as client.${access.id}`,
      "Check --ceph-conf (monitors) and --ceph-id (its keyring), and that the monitors answer ('ceph -s').",
      { cause: e, ...(e.detail !== undefined ? { detail: e.detail } : {}) },
    );
  }
  if (/pool .* does not exist|error opening pool|\(2\) No such file or directory/i.test(text) && /pool/i.test(text)) {
    return new V2kError(
      "RBD_POOL_MISSING",
      "the Ceph pool does not exist",
      "Create the pool or give another --rbd-pool ('ceph osd pool ls').",
      { cause: e, ...(e.detail !== undefined ? { detail: e.detail } : {}) },
    );
  }
  return e;
}

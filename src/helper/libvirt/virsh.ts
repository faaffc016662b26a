// virsh adapter: every libvirt call of the helper goes through here (exec adapter, argv arrays,
// timeouts), and virsh failures become VIRSH_FAILED once, at this boundary (LIBVIRT_UNAVAILABLE when no daemon answers).
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { V2kError } from "../../shared/v2k-error";
import { exec } from "../../kit/exec";

// libvirt's client messages when no daemon listens (crashed, stopped, restarting)
const UNREACHABLE = /failed to connect to the hypervisor|Failed to connect socket|Cannot recv data|End of file while reading data/i;

export const DEFAULT_LIBVIRT_URI = "qemu:///system";

/** The connection URI: --connect, else $ABLESTACK_V2K_LIBVIRT_URI, else qemu:///system. */
export function libvirtUri(explicit?: string): string {
  return explicit ?? process.env.ABLESTACK_V2K_LIBVIRT_URI ?? DEFAULT_LIBVIRT_URI;
}

export type DomainState = "running" | "shut off" | "paused" | "in shutdown" | "crashed" | "pmsuspended" | "idle" | "unknown";

export interface VirshOptions {
  uri: string;
  signal?: AbortSignal;
  timeoutMs?: number;
}

const notFound = /failed to get domain|Domain not found|no domain with matching/i;

export class Virsh {
  readonly uri: string;
  private readonly signal: AbortSignal | undefined;
  private readonly timeoutMs: number;

  constructor(options: VirshOptions) {
    this.uri = options.uri;
    this.signal = options.signal;
    this.timeoutMs = options.timeoutMs ?? 60_000;
  }

  /** Runs `virsh -c URI ARGS`; failures become VIRSH_FAILED with virsh's message. */
  async run(args: string[], opts: { timeoutMs?: number } = {}): Promise<string> {
    try {
      const r = await exec("virsh", ["-q", "-c", this.uri, ...args], {
        timeoutMs: opts.timeoutMs ?? this.timeoutMs,
        ...(this.signal ? { signal: this.signal } : {}),
      });
      return r.stdout;
    } catch (e) {
      if (e instanceof V2kError && e.code === "PROCESS_FAILED") {
        const msg =
          (e.detail ?? e.message)
            .split("\n")
            .slice(1)
            .join(" ")
            .replace(/^error:\s*/i, "")
            .trim() || e.message;
        if (UNREACHABLE.test(e.detail ?? e.message)) {
          throw new V2kError(
            "LIBVIRT_UNAVAILABLE",
            `libvirt does not answer on ${this.uri} (virsh ${args[0]}: ${msg})`,
            "Start libvirtd (or virtqemud) on this host, check 'virsh -c " +
              this.uri +
              " list', then re-run the same command: it resumes where it stopped.",
            { detail: e.detail ?? e.message, cause: e },
          );
        }
        throw new V2kError(
          "VIRSH_FAILED",
          `virsh ${args[0]}: ${msg}`,
          `Check libvirtd on this host (virsh -c ${this.uri} list) and the domain's configuration.`,
          { detail: e.detail ?? e.message, cause: e },
        );
      }
      throw e;
    }
  }

  /** The domain's state, or null when no such domain is defined. */
  async domState(name: string): Promise<DomainState | null> {
    try {
      const out = (await this.run(["domstate", name])).trim();
      return (
        ["running", "shut off", "paused", "in shutdown", "crashed", "pmsuspended", "idle"].includes(out) ? out : "unknown"
      ) as DomainState;
    } catch (e) {
      if (isNotFound(e)) return null;
      throw e;
    }
  }

  async exists(name: string): Promise<boolean> {
    return (await this.domState(name)) !== null;
  }

  async dumpXml(name: string, inactive = false): Promise<string | null> {
    try {
      return await this.run(["dumpxml", ...(inactive ? ["--inactive"] : []), name]);
    } catch (e) {
      if (isNotFound(e)) return null;
      throw e;
    }
  }

  /** virsh define of an XML document (written to a private temp file: virsh reads files, not stdin). */
  async define(xml: string, opts: { validate?: boolean } = {}): Promise<void> {
    await withTempFile(xml, (file) => this.run(["define", ...(opts.validate ? ["--validate"] : []), file]));
  }

  /** A transient domain (gone after destroy): used for isolated boot checks. */
  async create(xml: string): Promise<void> {
    await withTempFile(xml, (file) => this.run(["create", file], { timeoutMs: 120_000 }));
  }

  async start(name: string): Promise<void> {
    await this.run(["start", name], { timeoutMs: 120_000 });
  }

  /** Hard stop; no error when the domain is already off or gone. */
  async destroy(name: string): Promise<boolean> {
    const state = await this.domState(name);
    if (state === null || state === "shut off") return false;
    try {
      await this.run(["destroy", name]);
      return true;
    } catch (e) {
      // it may have stopped between the two calls
      const now = await this.domState(name);
      if (now === null || now === "shut off") return false;
      throw e;
    }
  }

  /** Undefine including the UEFI variable store; no error when the domain does not exist. */
  async undefine(name: string): Promise<boolean> {
    if (!(await this.exists(name))) return false;
    await this.run(["undefine", "--nvram", "--managed-save", "--snapshots-metadata", name]);
    return true;
  }

  async shutdown(name: string): Promise<void> {
    await this.run(["shutdown", name]);
  }

  /** Domain types (kvm, qemu) libvirt can run for x86_64 guests on this host. */
  async domainTypes(): Promise<string[]> {
    const caps = await this.run(["capabilities"]);
    const arch = /<arch name='x86_64'>([\s\S]*?)<\/arch>/.exec(caps)?.[1] ?? "";
    return [...new Set([...arch.matchAll(/<domain type='(\w+)'/g)].map((m) => m[1]!))];
  }

  async version(): Promise<string> {
    return (await this.run(["version"])).trim();
  }
}

export function isNotFound(e: unknown): boolean {
  return e instanceof V2kError && e.code === "VIRSH_FAILED" && notFound.test(`${e.message}\n${e.detail ?? ""}`);
}

async function withTempFile<T>(content: string, fn: (path: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), "v2k-virsh-"));
  try {
    const file = join(dir, "domain.xml");
    writeFileSync(file, content, { mode: 0o600 });
    return await fn(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Hardware-assisted KVM (kvm_intel / kvm_amd). Some nested set-ups expose /dev/kvm through a
 * software mode (kvm_pvm) that cannot run firmware or boot loaders ("KVM internal error ...
 * emulation failure"), so /dev/kvm alone does not make a usable host.
 */
export function hardwareKvm(sys = "/sys/module", dev = "/dev/kvm"): boolean {
  return existsSync(dev) && (existsSync(`${sys}/kvm_intel`) || existsSync(`${sys}/kvm_amd`));
}

/**
 * `kvm` when the operator asked for it, or for "auto" when hardware-assisted KVM is present and
 * libvirt offers it; else `qemu` (TCG). $ABLESTACK_V2K_DOMAIN_TYPE (kvm|qemu) decides "auto" outright.
 */
export async function resolveDomainType(policy: "auto" | "kvm" | "qemu", virsh: Virsh): Promise<"kvm" | "qemu"> {
  if (policy !== "auto") return policy;
  const forced = process.env.ABLESTACK_V2K_DOMAIN_TYPE;
  if (forced === "kvm" || forced === "qemu") return forced;
  if (!hardwareKvm()) return "qemu";
  return (await virsh.domainTypes()).includes("kvm") ? "kvm" : "qemu";
}

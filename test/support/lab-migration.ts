// The world of a lab-VM migration through the helper CLI: a private directory (qemu may open targets below it),
// libvirtd, the vSphere lab, its govc environment and a private bridge for the VM's port groups. The domain and
// bridge names carry a unique tag (libvirtd and the host's links are shared); close() removes what open() made.
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { addTestBridge, type LibvirtdHandle, removeDomains, removeTestBridge, startLibvirtd } from "./libvirtd";
import { type TestLab, startTestLab } from "./lab";
import { labEnv } from "../unit/cutover/cli-helpers";

export interface LabMigrationNames {
  /** Prefix of the private directory, e.g. "v2k-runbook-safety-". */
  dir: string;
  /** Prefix of the KVM domain name, e.g. "v2k-t-safety-"; the tag follows. */
  domain: string;
  /** Prefix of the bridge name (Linux allows 15 characters: keep it short), e.g. "v2ksf". */
  bridge: string;
  /** The lab's scenario (default "minimal": web01 and boot01). */
  scenario?: string;
}

export interface LabMigration {
  dir: string;
  lv: LibvirtdHandle;
  lab: TestLab;
  /** The govc environment of the lab, with `extraEnv` over it. */
  env: Record<string, string>;
}

export class LabMigrationWorld {
  readonly tag = randomBytes(3).toString("hex");
  readonly domain: string;
  readonly bridge: string;
  private opened: Partial<LabMigration> = {};
  private readonly domains: string[];
  private readonly cleanups: ((lv: LibvirtdHandle) => Promise<void>)[] = [];

  constructor(
    private readonly names: LabMigrationNames,
    private readonly extraEnv: (dir: string) => Record<string, string> = () => ({}),
  ) {
    this.domain = `${names.domain}${this.tag}`;
    this.bridge = `${names.bridge}${this.tag}`;
    this.domains = [this.domain];
  }

  /** Another domain of the tests (a second VM, a boot check's copy): removed by close() too. */
  alsoDomain(name: string): string {
    this.domains.push(name);
    return name;
  }

  /** What a test adds to libvirt besides domains (a network, a secret): undone by close() before libvirtd is released. */
  onClose(cleanup: (lv: LibvirtdHandle) => Promise<void>): void {
    this.cleanups.push(cleanup);
  }

  /** For `before`: everything the tests use, started in this order. */
  async open(): Promise<LabMigration> {
    const dir = mkdtempSync(join(tmpdir(), this.names.dir));
    this.opened.dir = dir;
    chmodSync(dir, 0o755); // qemu (libvirt-qemu) opens the targets below it
    const lv = (this.opened.lv = await startLibvirtd());
    const lab = (this.opened.lab = await startTestLab({ scenario: this.names.scenario ?? "minimal" }));
    const env = labEnv(lab, this.extraEnv(dir));
    await addTestBridge(this.bridge);
    return { dir, lv, lab, env };
  }

  /** For `after`: the domains, the tests' own cleanups, libvirtd (when this process started it), the bridge, the lab, the directory. */
  async close(): Promise<void> {
    const { lv, lab, dir } = this.opened;
    if (lv) {
      await removeDomains(lv.virsh, this.domains);
      for (const cleanup of this.cleanups) await cleanup(lv).catch(() => undefined);
      await lv.release();
    }
    await removeTestBridge(this.bridge);
    if (lab) await lab.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

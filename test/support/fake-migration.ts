// Migrations against the in-process vSphere fake: the lab model of a scenario and a private directory, and for
// each VM a workdir holding the manifest init would write (file targets, http transport). Decision tests
// (rounds, cutover, rollback) start from it in milliseconds.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeVsphere } from "./fake-vsphere";
import { Workdir } from "../../src/helper/state/index";
import { Emitter } from "../../src/kit/emitter";
import { manifestFromInventory } from "../../src/helper/sync/inventory-manifest";
import { type Manifest } from "../../src/shared/manifest";

export class FakeMigrations {
  private workdirs = 0;

  private constructor(
    readonly fake: FakeVsphere,
    readonly dir: string,
    private readonly disposeFake: () => Promise<void>,
  ) {}

  /** For `before`: the fake over a fresh lab model of `scenario`, and a directory named `prefix...`. */
  static async open(prefix: string, scenario = "fleet"): Promise<FakeMigrations> {
    const { api, dispose } = await FakeVsphere.open(scenario);
    return new FakeMigrations(api, mkdtempSync(join(tmpdir(), prefix)), dispose);
  }

  /** A new workdir for `vmName` (its own each call); `patch` changes the manifest before it is written. */
  async migrationOf(vmName: string, patch: (m: Manifest) => void = () => {}): Promise<{ wd: Workdir; moref: string }> {
    const inventory = await this.fake.inventory({ name: vmName });
    const m = manifestFromInventory({
      runId: `20261129-000000-${vmName.replace(/\W/g, "")}`,
      inventory,
      dst: join(this.dir, vmName),
      format: "qcow2",
      mode: "file",
      transport: "http",
      access: { url: "https://fake/sdk", host: "fake", port: 443, username: "u", password: "p", thumbprint: "AA", insecure: false },
    });
    patch(m);
    const wd = Workdir.create(join(this.dir, `wd-${vmName}-${++this.workdirs}`), m, new Emitter(), "init");
    return { wd, moref: inventory.moref };
  }

  /** For `after`. */
  async close(): Promise<void> {
    await this.disposeFake();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

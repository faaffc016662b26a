// The world of a page test on a migration the CLI prepared: the lab-migration world (libvirtd, the minimal lab,
// a private bridge, a tagged domain name, a private directory as the state root) and cockpit-ws serving the
// page over that root. `helper` runs the built CLI as an admin would, the password on stdin.
import { resolve } from "node:path";
import { exec } from "../../src/kit/exec";
import { startCockpit, type CockpitSession } from "./cockpit";
import { type LabMigration, LabMigrationWorld, type LabMigrationNames } from "./lab-migration";

const HELPER = resolve("dist/ablestack_v2k");

export class PageWorld {
  private readonly world: LabMigrationWorld;
  private opened: LabMigration | undefined;
  private session: CockpitSession | undefined;

  constructor(names: LabMigrationNames) {
    this.world = new LabMigrationWorld(names);
  }

  get domain(): string {
    return this.world.domain;
  }
  get bridge(): string {
    return this.world.bridge;
  }
  /** The state root the page lists and init creates workdirs under. */
  get root(): string {
    return this.must(this.opened).dir;
  }
  get lab() {
    return this.must(this.opened).lab;
  }
  get lv() {
    return this.must(this.opened).lv;
  }
  get cockpit(): CockpitSession {
    return this.must(this.session);
  }

  /** For `before`. */
  async open(): Promise<void> {
    this.opened = await this.world.open();
    this.session = await startCockpit({ workdirRoot: this.opened.dir });
  }

  /** For `after`: the browser and cockpit-ws first, then the lab-migration world. */
  async close(): Promise<void> {
    await this.session?.close();
    await this.world.close();
  }

  /** `ablestack_v2k --json ARGS` on this state root (with the lab's connection unless told not to); its result's data. */
  async helper(args: string[], withConnection = true): Promise<any> {
    const lab = this.lab;
    const conn = ["--vcenter", lab.url, "--username", lab.username, "--thumbprint", lab.thumbprint, "--password-stdin"];
    const r = await exec(HELPER, ["--json", ...args, ...(withConnection ? conn : [])], {
      timeoutMs: 300_000,
      ...(withConnection ? { input: lab.password + "\n" } : {}),
      env: { ...(process.env as Record<string, string>), V2K_STATE_DIR: this.root },
    });
    return (JSON.parse(r.stdout.trim().split("\n").at(-1)!) as { data: any }).data;
  }

  private must<T>(v: T | undefined): T {
    if (v === undefined) throw new Error("the page world is not open (call open() in before)");
    return v;
  }
}

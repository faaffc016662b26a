// The soak's lab: `lab start` of the built CLI in the foreground (scenario minimal: web01, boot01),
// looked at through the CLI (inventory, disk-hash, write) and powered off and on through our vSphere
// bridge, as an admin would in the vSphere client.
import { execFile, spawn } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { VsphereBridge } from "../../src/helper/vsphere/index";
import { labGovcEnv, waitForLab } from "../support/lab";

const HELPER = join(process.cwd(), "dist/ablestack_v2k");
const MiB = 1024 * 1024;

export interface SoakLab {
  dir: string;
  /** govc-style environment for the helper. */
  env: Record<string, string>;
  /** The VM's snapshots in one inventory call: all of them, and the migration's own. */
  snapshots(vm: string): Promise<{ all: { moref: string; name: string }[]; ours: string[] }>;
  diskHash(vm: string, disk: number): Promise<string>;
  guestWrites(vm: string, random: () => number): Promise<void>;
  power(vm: string, state: "poweredOn" | "poweredOff"): Promise<void>;
  vm(vm: string): Promise<{ powerState: string }>;
  stop(): Promise<void>;
}

const run = promisify(execFile);

/** The built CLI's lab command; asynchronous, so a check can overlap its lab call with its own work. */
async function labCli(args: string[]): Promise<any> {
  let stdout = "";
  let stderr = "";
  try {
    ({ stdout, stderr } = await run(HELPER, ["--json", ...args], { encoding: "utf8", maxBuffer: 64 * MiB, timeout: 300_000 }));
  } catch (e) {
    ({ stdout = "", stderr = "" } = e as { stdout?: string; stderr?: string });
  }
  const last = JSON.parse(stdout.trim().split("\n").at(-1) ?? "null");
  if (last?.ok !== true) throw new Error(`lab ${args.join(" ")}: ${stdout.slice(-500)} ${stderr.slice(-500)}`);
  return last.data;
}

export async function startSoakLab(dir: string): Promise<SoakLab> {
  const child = spawn(HELPER, ["lab", "start", "--dir", dir, "--scenario", "minimal"], { stdio: ["ignore", "ignore", "inherit"] });
  let exited = false;
  const done = new Promise<void>((r) => child.on("close", () => ((exited = true), r())));
  const info = await waitForLab(
    dir,
    child.pid,
    () => !exited,
    () => "(its output is in the soak's stderr)",
  );
  const u = new URL(info.url);
  const bridge = await VsphereBridge.connect({
    url: info.url,
    host: u.hostname,
    port: Number(u.port),
    username: info.username,
    password: info.password,
    thumbprint: info.thumbprint,
    insecure: false,
  });
  const vmOf = async (name: string) =>
    (await labCli(["lab", "inventory", "--dir", dir])).vms.find((v: { name: string }) => v.name === name);
  return {
    dir,
    env: labGovcEnv(info),
    async snapshots(vm) {
      const all: { moref: string; name: string }[] = (await vmOf(vm)).snapshots;
      return { all, ours: all.filter((s) => s.name.startsWith("ablestack-v2k ")).map((s) => s.moref) };
    },
    diskHash: async (vm, disk) => (await labCli(["lab", "disk-hash", "--dir", dir, "--vm", vm, "--disk", String(disk)])).sha256,
    async guestWrites(vm, random) {
      const capacity = (await vmOf(vm)).disks[0].capacityBytes as number;
      for (let i = 1 + Math.floor(random() * 4); i > 0; i--) {
        const length = 4096 * (1 + Math.floor(random() * 1024)); // 4 KiB .. 4 MiB
        const offset = 4096 * Math.floor((random() * (capacity - length)) / 4096);
        await labCli([
          "lab",
          "write",
          "--dir",
          dir,
          "--vm",
          vm,
          "--disk",
          "0",
          "--offset",
          String(offset),
          "--length",
          String(length),
          "--seed",
          String(Math.floor(random() * 1e9)),
        ]);
      }
    },
    async power(vm, state) {
      const v = await vmOf(vm);
      if (v.powerState === state) return;
      if (state === "poweredOff") await bridge.powerOff(v.moref);
      else await bridge.powerOn(v.moref);
    },
    vm: (vm) => vmOf(vm),
    async stop() {
      await bridge.close().catch(() => undefined);
      child.kill("SIGTERM");
      const t = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await done;
      clearTimeout(t);
    },
  };
}

// VMware's own CLI (govc 0.24) against the lab, as an admin pokes vCenter with it: every command exits
// 0 with the right effect on the lab's model, and commands that wait for a task do not repeat it.
// govc comes from $GOVC, else from ../shared/tools/govc-0.24.xz (or /work/shared/tools) unpacked into a
// temp dir; without it the tests fail with a message saying where to put it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { execa } from "execa";
import { execFileSync } from "node:child_process";
import { type TestLab, labControl, labOps, repoRoot, startTestLab } from "../support/lab";

let lab: TestLab;
let govcBin: string;
let home: string;

function findGovc(): string {
  if (process.env["GOVC"]) return process.env["GOVC"];
  const candidates = [resolve(repoRoot, "../shared/tools/govc-0.24.xz"), "/work/shared/tools/govc-0.24.xz"];
  const xz = candidates.find((p) => existsSync(p));
  if (!xz) throw new Error(`govc not found: set $GOVC or provide ${candidates.join(" or ")}`);
  const out = join(home, "govc");
  writeFileSync(out, execFileSync("xz", ["-dc", xz], { maxBuffer: 256 * 1024 * 1024 }));
  chmodSync(out, 0o755);
  return out;
}

before(async () => {
  home = mkdtempSync(join(tmpdir(), "v2k-govc-"));
  govcBin = findGovc();
  lab = await startTestLab({ scenario: "minimal" });
});
after(async () => {
  await lab?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

/** Runs govc with the lab's credentials in its environment (never on argv); GOVC_INSECURE unless told otherwise. */
async function govc(args: string[], env: Record<string, string> = { GOVC_INSECURE: "1" }) {
  const r = await execa(govcBin, args, {
    reject: false,
    timeout: 60_000,
    extendEnv: false,
    env: {
      PATH: process.env["PATH"] ?? "",
      HOME: home,
      GOVMOMI_HOME: join(home, ".govmomi"),
      GOVC_URL: lab.url,
      GOVC_USERNAME: lab.username,
      GOVC_PASSWORD: lab.password,
      ...env,
    },
  });
  assert.equal(r.exitCode, 0, `govc ${args.join(" ")} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}
const govcJson = async (args: string[]) => JSON.parse(await govc(args));
const vmState = async (name: string) => (await labControl(lab, "GET", "inventory")).vms.find((v: any) => v.name === name);
const diskHash = async (vm: string, disk: number) => (await labControl(lab, "POST", "disk-hash", { vm, disk })).sha256 as string;

test("about: insecure, and trusted through GOVC_TLS_KNOWN_HOSTS (a wrong thumbprint is refused)", async () => {
  assert.match(await govc(["about"]), /VMware vCenter Server[\s\S]*Version:\s+6\.7\.0[\s\S]*API version:\s+6\.7\.3/);
  const known = join(home, "known_hosts");
  writeFileSync(known, `${lab.host}:${lab.port} ${lab.thumbprint}\n`);
  assert.match(await govc(["about"], { GOVC_TLS_KNOWN_HOSTS: known }), /VirtualCenter/);
  writeFileSync(known, `${lab.host}:${lab.port} ${lab.thumbprint.replace(/^../, lab.thumbprint.startsWith("00") ? "11" : "00")}\n`);
  const bad = await execa(govcBin, ["about"], {
    reject: false,
    extendEnv: false,
    env: { PATH: process.env["PATH"] ?? "", HOME: home, GOVMOMI_HOME: join(home, ".gm2"), GOVC_URL: lab.url, GOVC_TLS_KNOWN_HOSTS: known },
  });
  assert.notEqual(bad.exitCode, 0);
});

test("ls, find and vm.info show the inventory the model holds", async () => {
  assert.deepEqual((await govc(["ls"])).trim().split("\n"), ["/lab-dc/vm", "/lab-dc/host", "/lab-dc/datastore", "/lab-dc/network"]);
  const vms = (await govc(["find", "/", "-type", "m"])).trim().split("\n").sort();
  assert.deepEqual(vms, ["/lab-dc/vm/boot01", "/lab-dc/vm/prod/web01"]);
  const info = await govcJson(["vm.info", "-json", "web01"]);
  const web01 = await vmState("web01");
  assert.equal(info.VirtualMachines[0].Config.Uuid !== undefined, true);
  assert.equal(info.VirtualMachines[0].Runtime.PowerState, web01.powerState);
  const dev = await govcJson(["device.info", "-json", "-vm", "web01"]);
  const disks = dev.Devices.filter((d: any) => d.Backing?.FileName?.endsWith(".vmdk"));
  assert.deepEqual(disks.map((d: any) => d.Key).sort(), web01.disks.map((d: any) => d.key).sort());
});

test("host.info shows hardware and a host version its vCenter manages", async () => {
  assert.match(await govc(["host.info"]), /Manufacturer:\s+\S+[\s\S]*Logical CPUs:\s+16 CPUs @ 2100MHz[\s\S]*State:\s+connected/);
  const h = await govcJson(["host.info", "-json"]);
  assert.equal(h.HostSystems[0].Summary.Config.Product.Version, "6.7.0");
});

test("snapshot create/tree/revert/remove: one snapshot each time, content really reverts", async () => {
  const before = await diskHash("boot01", 0);
  await govc(["snapshot.create", "-vm", "boot01", "-m=false", "govc-1"]);
  let state = await vmState("boot01");
  assert.equal(state.snapshots.length, 1, "exactly one snapshot after create");
  // "." marks where the VM runs now: below its current snapshot
  assert.deepEqual(
    (await govc(["snapshot.tree", "-vm", "boot01"]))
      .trim()
      .split("\n")
      .map((l) => l.trim()),
    ["govc-1", "."],
  );
  await labControl(lab, "POST", "write", { vm: "boot01", disk: 0, offset: 0, length: 1 << 20, seed: 77 });
  assert.notEqual(await diskHash("boot01", 0), before);
  await govc(["snapshot.revert", "-vm", "boot01", "govc-1"]);
  assert.equal(await diskHash("boot01", 0), before, "revert brings the disk back to the snapshot");
  state = await vmState("boot01");
  assert.equal(state.powerState, "poweredOff", "a snapshot without memory reverts to powered off");
  assert.equal(state.snapshots.length, 1);
  await govc(["vm.power", "-on", "boot01"]);
  await govc(["snapshot.remove", "-vm", "boot01", "govc-1"]);
  state = await vmState("boot01");
  assert.equal(state.snapshots.length, 0);
  assert.equal(state.consolidationNeeded, false);
  assert.equal(await diskHash("boot01", 0), before);
});

test("vm.power off/on and vm.change -e take effect once; object.collect reads them", async () => {
  await govc(["vm.power", "-off", "web01"]);
  assert.equal((await vmState("web01")).powerState, "poweredOff");
  await govc(["vm.power", "-on", "web01"]);
  assert.equal((await vmState("web01")).powerState, "poweredOn");
  await govc(["vm.change", "-vm", "web01", "-e", "guestinfo.govc-test=yes"]);
  assert.match(await govc(["vm.info", "-e", "web01"]), /guestinfo\.govc-test:\s+yes/);
  const collected = await govcJson(["object.collect", "-json", "vm/prod/web01", "runtime.powerState"]);
  assert.equal(JSON.stringify(collected).includes("poweredOn"), true, JSON.stringify(collected));
});

test("datastore.ls lists the disk files; datastore.download bytes equal lab disk-hash", async () => {
  const listing = await govc(["datastore.ls", "-ds", "ds1", "boot01"]);
  assert.deepEqual(listing.trim().split("\n").sort(), ["boot01-flat.vmdk", "boot01.vmdk"]);
  assert.deepEqual((await govc(["datastore.ls", "-ds", "ds1"])).trim().split("\n").sort(), ["boot01", "web01"]);
  const out = join(home, "boot01-flat.vmdk");
  await govc(["datastore.download", "-ds", "ds1", "boot01/boot01-flat.vmdk", out]);
  const sha = createHash("sha256").update(readFileSync(out)).digest("hex");
  rmSync(out);
  assert.equal(sha, await diskHash("boot01", 0));
});

test("events and tasks show what happened; session.ls lists the session", async () => {
  const events = await govc(["events", "vm/prod/web01"]);
  assert.match(events, /web01 is powered off/);
  assert.match(events, /web01 is powered on/);
  assert.match(events, /Reconfigured web01/);
  const boot = await govc(["events", "-n", "50", "vm/boot01"]);
  assert.match(boot, /Task: Create virtual machine snapshot/);
  assert.match(boot, /reverted to the state of snapshot govc-1/);
  const tasks = await govc(["tasks"]);
  for (const t of ["PowerOffVM", "PowerOnVM", "ReconfigVM", "CreateSnapshot", "RemoveSnapshot"]) assert.match(tasks, new RegExp(`${t}\\s`));
  const sessions = await govc(["session.ls"]);
  assert.match(sessions, new RegExp(`${lab.username.replace(/[.]/g, "\\.")}[\\s\\S]*govc/0\\.24`));
});

test("version profiles: about and host agree for 7.0 and 8.0, and pyVmomi 6.7.1 still connects", async () => {
  for (const [profile, vc, api, esx] of [
    ["8.0", "8.0.2", "8.0.2.0", "8.0.2"],
    ["7.0", "7.0.3", "7.0.3.0", "7.0.3"],
  ] as const) {
    await lab.restart({ apiVersion: profile });
    assert.match(
      await govc(["about"]),
      new RegExp(`Version:\\s+${vc.replace(/\./g, "\\.")}[\\s\\S]*API version:\\s+${api.replace(/\./g, "\\.")}`),
    );
    const h = await govcJson(["host.info", "-json"]);
    assert.equal(h.HostSystems[0].Summary.Config.Product.Version, esx);
    const [c] = await labOps(lab, [{ op: "connect", mode: "thumbprint" }]);
    assert.ok(c.ok, JSON.stringify(c));
    assert.equal(c.ok.apiVersion, api);
  }
});

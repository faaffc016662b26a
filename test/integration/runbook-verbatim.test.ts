// The operators' runbook, typed as written into one bash shell (only the program path substituted, the
// example env file filled in for the lab, the printed workdir used for <workdir>), against the lab's
// bootable VM boot01: CBT, base and incremental rounds with guest writes, the operator's own power-off,
// cutover --define-only --start (network default from the host config file, TCG), verify reporting 64
// samples per disk, cleanup --keep-workdir. It ends with boot01 running on KVM and no snapshot on VMware.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { addTestBridge, type LibvirtdHandle, removeDomains, removeTestBridge, startLibvirtd } from "../support/libvirtd";
import { waitForConsole } from "../support/console-log";
import { type TestLab, labOps, repoRoot, startTestLab } from "../support/lab";
import { cliOk } from "../unit/cutover/cli-helpers";

const PROGRAM = join(repoRoot, "dist/ablestack_v2k");
const VM = "boot01";
const DST = `/var/lib/libvirt/images/${VM}`;
const tag = randomBytes(3).toString("hex");
const bridge = `v2krb${tag}`;
let lv: LibvirtdHandle;
let lab: TestLab;
let dir: string;
let shell: OperatorShell;
let createdDst = false;

/** One interactive bash, as the operator's root shell: lines go in, each line's output and status come back. */
class OperatorShell {
  private out = "";
  private readonly proc: ChildProcessWithoutNullStreams;
  constructor(env: NodeJS.ProcessEnv, cwd: string) {
    this.proc = spawn("bash", ["--noprofile", "--norc"], { env, cwd });
    this.proc.stdout.on("data", (b: Buffer) => (this.out += b.toString("utf8")));
    this.proc.stderr.on("data", (b: Buffer) => process.stderr.write(b));
  }
  async type(line: string, timeoutMs = 600_000): Promise<{ status: number; output: string }> {
    const marker = `__V2K_DONE_${randomBytes(4).toString("hex")}__`;
    const start = this.out.length;
    this.proc.stdin.write(`${line}\necho "${marker} $?"\n`);
    const t0 = Date.now();
    for (;;) {
      const m = new RegExp(`${marker} (\\d+)\\n`).exec(this.out.slice(start));
      if (m) return { status: Number(m[1]), output: this.out.slice(start, start + m.index) };
      if (Date.now() - t0 > timeoutMs) throw new Error(`'${line}' did not finish within ${timeoutMs} ms:\n${this.out.slice(start)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  close(): void {
    this.proc.stdin.end();
  }
}

/** The runbook's line with only the program path substituted (and the workdir it printed). */
function runbook(line: string, workdir?: string): string {
  const withWorkdir = workdir === undefined ? line : line.replaceAll("<workdir>", workdir);
  return withWorkdir.replace(/(^|; |;\s*)ablestack_v2k /g, `$1${PROGRAM} `);
}

async function typeOk(line: string, workdir?: string): Promise<string> {
  const r = await shell.type(runbook(line, workdir));
  assert.equal(r.status, 0, `runbook line failed (exit ${r.status}): ${line}\n${r.output}`);
  process.stderr.write(`$ ${line}\n${r.output}`);
  return r.output;
}

before(async () => {
  assert.ok(existsSync(PROGRAM), "build first (node build.mjs)");
  dir = mkdtempSync(join(tmpdir(), "v2k-runbook-"));
  chmodSync(dir, 0o755);
  lv = await startLibvirtd();
  assert.equal(await lv.virsh.exists(VM), false, `a libvirt domain '${VM}' already exists on this host; the runbook would collide with it`);
  if (!existsSync(DST)) {
    mkdirSync(DST, { recursive: true });
    createdDst = true;
  }
  lab = await startTestLab({ scenario: "minimal" });
  await addTestBridge(bridge);
  // the example env file, filled in for the lab; trust through govc's known-hosts file
  const u = new URL(lab.url);
  const knownHosts = join(dir, "known_hosts");
  writeFileSync(knownHosts, `${u.host} ${lab.thumbprint}\n`);
  const envFile = join(dir, "govc.env");
  writeFileSync(
    envFile,
    readFileSync(join(repoRoot, "pkg/examples/govc.env.example"), "utf8")
      .replace(/^export GOVC_URL=.*$/m, `export GOVC_URL=${lab.url}`)
      .replace(/^export GOVC_USERNAME=.*$/m, `export GOVC_USERNAME=${lab.username}`)
      .replace(/^export GOVC_PASSWORD=.*$/m, `export GOVC_PASSWORD='${lab.password}'`)
      .replace(/^export GOVC_TLS_KNOWN_HOSTS=.*$/m, `export GOVC_TLS_KNOWN_HOSTS=${knownHosts}`),
    { mode: 0o600 },
  );
  // the host's config file names the network the runbook's cutover (no network flag) uses
  const conf = join(dir, "ablestack-v2k.conf");
  writeFileSync(conf, `# host defaults of ablestack-v2k\nnetwork-map-default=${bridge}\n`);
  const env: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith("GOVC_") && !k.startsWith("ABLESTACK_V2K_")),
  );
  Object.assign(env, { V2K_STATE_DIR: join(dir, "state"), ABLESTACK_V2K_CONFIG: conf, ABLESTACK_V2K_DOMAIN_TYPE: "qemu" });
  shell = new OperatorShell(env, dir);
  const src = await shell.type(`source ${envFile}`);
  assert.equal(src.status, 0, src.output);
});

after(async () => {
  shell?.close();
  if (lv) {
    await removeDomains(lv.virsh, [VM]);
    await lv.release();
  }
  await removeTestBridge(bridge);
  if (lab) await lab.stop();
  if (createdDst) rmSync(DST, { recursive: true, force: true });
  else for (const f of ["boot01-disk0.qcow2", "boot01.xml", "boot01.console.log"]) rmSync(join(DST, f), { force: true });
  rmSync(dir, { recursive: true, force: true });
});

const guestWrite = (offset: string, seed: string) =>
  cliOk(["lab", "write", "--dir", lab.dir, "--vm", VM, "--disk", "0", "--offset", offset, "--length", "1M", "--seed", seed]);

test("the runbook, verbatim, migrates boot01 and leaves it running on KVM", async () => {
  await typeOk(`export VMNAME="${VM}"; export DST="/var/lib/libvirt/images/\${VMNAME}"`);
  const init = await typeOk('ablestack_v2k init --vm "${VMNAME}" --vcenter "${GOVC_URL}" --dst "${DST}"');
  const W = init.trim().split("\n").at(-1)!;
  assert.ok(
    W.startsWith(join(dir, "state", VM)) && existsSync(join(W, "manifest.json")),
    `init printed its workdir on a line of its own: ${init}`,
  );

  await typeOk("ablestack_v2k --workdir <workdir> cbt enable", W);
  const status = JSON.parse((await typeOk("ablestack_v2k --workdir <workdir> cbt status --json", W)).trim().split("\n").at(-1)!);
  assert.equal(status.data.enabled, true);
  assert.equal(status.data.active, true);
  await typeOk("ablestack_v2k --workdir <workdir> snapshot base ; ablestack_v2k --workdir <workdir> sync base", W);
  for (const [offset, seed] of [
    ["64M", "31"],
    ["96M", "32"],
  ] as const) {
    await guestWrite(offset, seed); // the guest keeps working between rounds
    await typeOk("ablestack_v2k --workdir <workdir> snapshot incr ; ablestack_v2k --workdir <workdir> sync incr", W);
  }
  await guestWrite("120M", "33"); // a last write only the final round carries

  // the operator shuts the VMware VM down (no VMware Tools in boot01: power off) and confirms it is off
  const [off] = await labOps(lab, [{ op: "power", vm: "vm-104", action: "off" }]);
  assert.ok(off.ok !== undefined, JSON.stringify(off));
  const inv = await cliOk(["lab", "inventory", "--dir", lab.dir]);
  assert.equal(inv.vms.find((v: { name: string }) => v.name === VM).powerState, "poweredOff");

  const cut = await typeOk("ablestack_v2k --workdir <workdir> cutover --define-only --start", W);
  assert.match(cut, /started/);
  assert.equal(await lv.virsh.domState(VM), "running");
  const m = JSON.parse(readFileSync(join(W, "manifest.json"), "utf8"));
  assert.equal(m.phase, "started");
  assert.match(m.cutover.networkDefaultSource, /network-map-default in .*ablestack-v2k\.conf/);
  assert.equal(m.rounds.at(-1).kind, "final");
  assert.equal(m.rounds.at(-1).changedBytes, 1 << 20, "the final round carried the last guest write");

  const verify = await typeOk("ablestack_v2k --workdir <workdir> verify --mode quick --samples 64", W);
  assert.match(verify, /Hard disk 1: 64 blocks, 67108864 bytes/);
  assert.match(verify, /compared: the powered-off VMware source against the target disks after the final sync/);

  // the migrated guest boots under libvirt (TCG) to its marker
  const log = m.cutover.xmlPath.replace(/\.xml$/, ".console.log");
  await waitForConsole(log, /V2K-BOOT-OK boot01/, 240_000);

  await typeOk("ablestack_v2k --workdir <workdir> cleanup --keep-workdir", W);
  assert.ok(existsSync(join(W, "manifest.json")), "the workdir stays");
  assert.equal(await lv.virsh.domState(VM), "running", "the migrated VM keeps running");
  const after = await cliOk(["lab", "inventory", "--dir", lab.dir]);
  assert.deepEqual(after.vms.find((v: { name: string }) => v.name === VM).snapshots, [], "no snapshot on the source");
});

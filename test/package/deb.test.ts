// The .deb as an operator installs it: `make deb`, `dpkg -i` on this host, the installed helper rehearses
// a migration on the lab (lab start, preflight, init, cbt enable, base sync of boot01) with its workdir
// under /var/lib/ablestack-v2k, the installed page loads through cockpit-ws in headless Chromium and lists
// that migration, and `dpkg -r` removes the files but keeps the workdir. Root's code cache directory is the package's. Anything the package would
// overwrite that is not the package's (an earlier `make install`) is moved aside and restored.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  rmdirSync,
  statSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { randomUUID } from "node:crypto";
import { startCockpit, type CockpitSession } from "../support/cockpit";

const VERSION = JSON.parse(readFileSync("package.json", "utf8")).version as string;
const DEB = `build/ablestack-v2k_${VERSION}_all.deb`;
const HELPER = "/usr/bin/ablestack_v2k";
const STATE = "/var/lib/ablestack-v2k";
/** Root's V8 code cache of the helper (src/app/code-cache.ts). */
const CACHE = "/var/cache/ablestack-v2k";
const PACKAGE_PATHS = [
  "/usr/share/cockpit/ablestack-v2k",
  "/usr/lib/ablestack-v2k",
  HELPER,
  "/usr/share/doc/ablestack-v2k",
  "/usr/share/bash-completion/completions/ablestack_v2k",
];
const tag = randomUUID().slice(0, 8);
const workRoot = join(STATE, `pkgtest-${tag}`);
const workdir = join(workRoot, "boot01");

let aside: string;
const movedAside: string[] = [];
let stateExisted = false;
let stateMode = 0;
let cacheExisted = false;
let cacheMode = 0;
let installed = false;
let labDir: string;

function run(file: string, args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string } = {}) {
  return spawnSync(file, args, { encoding: "utf8", env: { ...process.env, ...opts.env }, input: opts.input ?? "", timeout: 300_000 });
}

/** dpkg with a retry while another package tool holds its lock. */
function dpkg(args: string[]): string {
  for (let attempt = 0; ; attempt++) {
    const r = run("dpkg", args);
    if (r.status === 0) return r.stdout;
    if (!/lock/i.test(r.stderr) || attempt >= 20) throw new Error(`dpkg ${args.join(" ")} failed (${r.status}): ${r.stderr}`);
    execFileSync("sleep", ["3"]);
  }
}

function ownedByPackage(path: string): boolean {
  return run("dpkg", ["-S", path]).status === 0;
}

before(() => {
  aside = mkdtempSync(join(tmpdir(), "v2k-pkg-aside-"));
  stateExisted = existsSync(STATE);
  if (stateExisted) stateMode = statSync(STATE).mode & 0o7777; // other tests cache lab images there
  cacheExisted = existsSync(CACHE);
  if (cacheExisted) cacheMode = statSync(CACHE).mode & 0o7777; // the helper run as root made it
  // an unpackaged install (make install PREFIX=/usr) would be overwritten: keep it safe and restore it after
  for (const p of PACKAGE_PATHS) {
    if (existsSync(p) && !ownedByPackage(p)) {
      const dest = join(aside, p);
      mkdirSync(dirname(dest), { recursive: true });
      renameSync(p, dest);
      movedAside.push(p);
    }
  }
  labDir = mkdtempSync(join(tmpdir(), "v2k-pkg-lab-"));
});

after(() => {
  if (existsSync(HELPER)) run(HELPER, ["lab", "stop", "--dir", labDir]);
  if (installed) run("dpkg", ["-r", "ablestack-v2k"]);
  rmSync(workRoot, { recursive: true, force: true });
  if (!stateExisted && existsSync(STATE)) rmdirSync(STATE);
  else if (stateExisted) chmodSync(STATE, stateMode);
  if (!cacheExisted) rmSync(CACHE, { recursive: true, force: true });
  else if (existsSync(CACHE)) chmodSync(CACHE, cacheMode);
  for (const p of movedAside) {
    rmSync(p, { recursive: true, force: true });
    renameSync(join(aside, p), p);
  }
  rmSync(aside, { recursive: true, force: true });
  rmSync(labDir, { recursive: true, force: true });
});

test("make deb: an arch-all package with the runtime dependencies and no maintainer scripts", () => {
  execFileSync("make", ["--no-print-directory", "deb"], { stdio: ["ignore", "ignore", "inherit"], timeout: 600_000 });
  const info = execFileSync("dpkg-deb", ["-f", DEB, "Package", "Version", "Architecture", "Depends", "Recommends"], { encoding: "utf8" });
  assert.match(info, /^Package: ablestack-v2k$/m);
  assert.match(info, new RegExp(`^Version: ${VERSION.replace(/\./g, "\\.")}$`, "m"));
  assert.match(info, /^Architecture: all$/m);
  assert.match(
    info,
    /^Depends: nodejs \(>= 20\), nbdkit, qemu-utils, libvirt-clients, libxml2-utils, python3, python3-pyvmomi, cockpit-bridge, cockpit-system$/m,
  );
  assert.match(info, /^Recommends: virt-v2v/m);
  const control = execFileSync("dpkg-deb", ["-I", DEB], { encoding: "utf8" });
  assert.doesNotMatch(control, /\b(preinst|postinst|prerm|postrm)\b/, "nothing runs at install or removal");
  const files = execFileSync("dpkg-deb", ["-c", DEB], { encoding: "utf8" });
  assert.match(files, /^drwx------ root\/root .* \.\/var\/lib\/ablestack-v2k\/$/m);
  assert.match(files, /^drwx------ root\/root .* \.\/var\/cache\/ablestack-v2k\/$/m);
  assert.match(files, /^lrwxrwxrwx root\/root .* \.\/usr\/bin\/ablestack_v2k -> \.\.\/lib\/ablestack-v2k\/ablestack_v2k$/m);
  assert.match(files, /\.\/usr\/share\/doc\/ablestack-v2k\/runbook\.ko\.md$/m);
  assert.doesNotMatch(files, /cockpit\/ablestack-v2k\/.*\.map$/m, "no source maps in the page");
});

test("dpkg -i installs it; the installed helper runs (--version, help, completion)", () => {
  dpkg(["-i", DEB]);
  installed = true;
  assert.equal(run(HELPER, ["--version"]).stdout.trim(), VERSION);
  assert.match(run(HELPER, ["help", "cutover"]).stdout, /--network-map PG=TARGET/);
  const completion = readFileSync("/usr/share/bash-completion/completions/ablestack_v2k", "utf8");
  assert.equal(completion.trim(), run(HELPER, ["completion", "bash"]).stdout.trim());
  // dpkg creates it 0700; a directory that existed before keeps its mode (as dpkg does for any directory)
  assert.equal(statSync(STATE).mode & 0o777, stateExisted ? stateMode & 0o777 : 0o700);
  assert.ok(ownedByPackage(CACHE), `${CACHE} is the package's`);
  assert.equal(statSync(CACHE).mode & 0o777, cacheExisted ? cacheMode & 0o777 : 0o700);
  assert.ok(
    readdirSync(CACHE).some((f) => f.endsWith(".v8cache")),
    "the installed helper, run as root, keeps its code cache there",
  );
  const config = JSON.parse(readFileSync("/usr/share/cockpit/ablestack-v2k/config.json", "utf8"));
  assert.deepEqual(config, { helper: HELPER, workdirRoot: STATE });
  assert.ok(readFileSync("/usr/share/doc/ablestack-v2k/reference.md", "utf8").includes("`NODE_TOO_OLD`"));
});

test("a lab rehearsal with the installed helper: lab start, preflight, init, cbt enable, base sync of boot01", () => {
  const ok = (args: string[], env?: NodeJS.ProcessEnv) => {
    const r = run(HELPER, ["--json", ...args], env ? { env } : {});
    const last = JSON.parse(r.stdout.trim().split("\n").at(-1) ?? "{}");
    assert.equal(r.status, 0, `${args.join(" ")}: ${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
    assert.equal(last.ok, true);
    return last.data;
  };
  ok(["lab", "start", "--dir", labDir, "--background"]);
  const lab = JSON.parse(readFileSync(join(labDir, "lab.json"), "utf8"));
  const env = { GOVC_URL: lab.url, GOVC_USERNAME: lab.username, GOVC_PASSWORD: lab.password, GOVC_THUMBPRINT: lab.thumbprint };
  const images = join(workRoot, "images");
  mkdirSync(images, { recursive: true });
  const go = ok(["preflight", "--vm", "boot01", "--dst", images], env);
  assert.equal(go.go, true, JSON.stringify(go.checks));
  ok(["--workdir", workdir, "init", "--vm", "boot01", "--dst", images], env);
  ok(["--workdir", workdir, "cbt", "enable"], env);
  ok(["--workdir", workdir, "snapshot", "base"], env);
  ok(["--workdir", workdir, "sync", "base"], env);
  const manifest = JSON.parse(readFileSync(join(workdir, "manifest.json"), "utf8"));
  assert.equal(manifest.phase, "base-synced");
  assert.ok(
    manifest.disks.every((d: { syncedChangeId: string | null }) => d.syncedChangeId),
    "every disk committed a changeId",
  );
  ok(["lab", "stop", "--dir", labDir]);
});

test("the installed page loads through cockpit-ws in headless Chromium and lists the rehearsal's migration", async () => {
  let cockpit: CockpitSession | undefined;
  try {
    // an empty XDG_DATA_HOME: cockpit-ws serves /usr/share/cockpit/ablestack-v2k (the package's files)
    cockpit = await startCockpit({ workdirRoot: STATE, installedPage: true });
    const res = await fetch(`${cockpit.base}/cockpit/@localhost/ablestack-v2k/config.json`);
    assert.deepEqual(await res.json(), { helper: HELPER, workdirRoot: STATE }, "the package's page is the one served");
    const page = await cockpit.open("ko");
    await page.waitForFunction(
      () => [...document.querySelectorAll("#v2k-migrations .v2k-migration-row")].some((e) => e.textContent?.includes("boot01")),
      { timeout: 30_000, polling: 200 },
    );
    await cockpit.screenshot(page, "package-installed-list-ko");
    assert.deepEqual(page.v2kErrors, []);
    await page.close();
  } finally {
    await cockpit?.close();
  }
});

test("dpkg -r removes the files and keeps /var/lib/ablestack-v2k with the workdir", () => {
  dpkg(["-r", "ablestack-v2k"]);
  installed = false;
  for (const p of PACKAGE_PATHS) assert.equal(existsSync(p) || lstatExists(p), false, `${p} removed`);
  assert.ok(existsSync(join(workdir, "manifest.json")), "the migration's workdir survives removal");
  assert.equal(ownedByPackage(CACHE), false, `${CACHE} is no package's any more`);
});

function lstatExists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

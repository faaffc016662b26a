// The RPM for Rocky 9 (ABLESTACK hosts), built here with rpmbuild: its file list and modes, its
// requirements (Rocky package names, Node.js >= 20), no scriptlets, and `rpm -i --nodeps --root TMP`
// lays out the same tree as the .deb; `rpm -e` keeps /var/lib/ablestack-v2k while it holds a workdir.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const VERSION = JSON.parse(readFileSync("package.json", "utf8")).version as string;
const RPM = `build/ablestack-v2k-${VERSION}-1.noarch.rpm`;
let root: string;

function rpmq(...args: string[]): string {
  return execFileSync("rpm", ["-qp", ...args, RPM], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
}

before(() => {
  execFileSync("make", ["--no-print-directory", "rpm"], { stdio: ["ignore", "ignore", "inherit"], timeout: 600_000 });
  root = mkdtempSync(join(tmpdir(), "v2k-rpm-root-"));
});

after(() => rmSync(root, { recursive: true, force: true }));

test("rpm -qpl: page, helper, PATH link, completion, docs in English and Korean, state directory; no source maps in the page", () => {
  const files = rpmq("-l").trim().split("\n");
  for (const f of [
    "/usr/share/cockpit/ablestack-v2k/index.html",
    "/usr/share/cockpit/ablestack-v2k/manifest.json",
    "/usr/share/cockpit/ablestack-v2k/config.json",
    "/usr/lib/ablestack-v2k/ablestack_v2k",
    "/usr/lib/ablestack-v2k/helper/ablestack_v2k.mjs",
    "/usr/lib/ablestack-v2k/helper/py/v2k_bridge.py",
    "/usr/bin/ablestack_v2k",
    "/usr/share/bash-completion/completions/ablestack_v2k",
    "/usr/share/doc/ablestack-v2k/runbook.md",
    "/usr/share/doc/ablestack-v2k/runbook.ko.md",
    "/usr/share/doc/ablestack-v2k/troubleshooting.md",
    "/usr/share/doc/ablestack-v2k/troubleshooting.ko.md",
    "/usr/share/doc/ablestack-v2k/reference.md",
    "/usr/share/doc/ablestack-v2k/govc.env.example",
    "/var/lib/ablestack-v2k",
    "/var/cache/ablestack-v2k",
  ]) {
    assert.ok(files.includes(f), `${f} in the package`);
  }
  assert.deepEqual(
    files.filter((f) => /^\/usr\/share\/cockpit\/ablestack-v2k\/.*\.map$/.test(f)),
    [],
  );
  const own =
    /^\/(usr\/share\/cockpit|usr\/lib|usr\/bin|usr\/share\/doc|usr\/share\/bash-completion|var\/lib|var\/cache)\/ablestack[-_]v2k/;
  assert.deepEqual(
    files.filter((f) => !own.test(f) && f !== "/usr/share/bash-completion/completions/ablestack_v2k"),
    [],
    "nothing outside the package's own paths",
  );
});

test("modes and owners: state directory 0700, the helper executable, docs readable, everything root's", () => {
  const rows = rpmq("--queryformat", "[%{FILEMODES:perms} %{FILEUSERNAME}:%{FILEGROUPNAME} %{FILENAMES}\n]").trim().split("\n");
  const mode = (path: string) =>
    rows
      .find((r) => r.endsWith(` ${path}`))
      ?.split(" ")
      .slice(0, 2)
      .join(" ");
  assert.equal(mode("/var/lib/ablestack-v2k"), "drwx------ root:root");
  assert.equal(mode("/var/cache/ablestack-v2k"), "drwx------ root:root");
  assert.equal(mode("/usr/lib/ablestack-v2k/ablestack_v2k"), "-rwxr-xr-x root:root");
  assert.equal(mode("/usr/bin/ablestack_v2k"), "lrwxrwxrwx root:root");
  assert.equal(mode("/usr/share/doc/ablestack-v2k/runbook.ko.md"), "-rw-r--r-- root:root");
  assert.ok(
    rows.every((r) => r.split(" ")[1] === "root:root"),
    "all files owned by root",
  );
  assert.equal(rpmq("--queryformat", "%{ARCH}"), "noarch");
});

test("requirements: Rocky 9 package names, nodejs >= 20 (epoch 1), weak dependencies for conversion, VDDK and Ceph", () => {
  const requires = rpmq("-R")
    .trim()
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => !l.startsWith("rpmlib("));
  assert.deepEqual(requires.sort(), [
    "cockpit-bridge",
    "cockpit-system",
    "libvirt-client",
    "nbdkit",
    "nbdkit-curl-plugin",
    "nodejs >= 1:20",
    "python3",
    "python3-pyvmomi",
    "qemu-img",
  ]);
  assert.deepEqual(rpmq("--recommends").trim().split("\n").sort(), ["nbdkit-vddk-plugin", "qemu-kvm-block-rbd", "virt-v2v"]);
  const spec = readFileSync("pkg/rpm/ablestack-v2k.spec", "utf8");
  assert.match(spec, /dnf module enable nodejs:20/, "the spec names the AppStream stream");
});

test("no scriptlets: nothing runs at install or removal (so nothing can reach the network)", () => {
  assert.equal(rpmq("--scripts").trim(), "");
  assert.equal(rpmq("--triggers").trim(), "");
});

test("rpm -i --nodeps --root TMP lays out the tree; the helper runs from it; rpm -e keeps a workdir", () => {
  const rpm = (args: string[]) => {
    const r = spawnSync("rpm", ["--root", root, ...args], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
  };
  rpm(["--initdb"]);
  rpm(["-i", "--nodeps", RPM]);
  assert.equal(readlinkSync(join(root, "usr/bin/ablestack_v2k")), "../lib/ablestack-v2k/ablestack_v2k");
  assert.equal(execFileSync(join(root, "usr/bin/ablestack_v2k"), ["--version"], { encoding: "utf8" }).trim(), VERSION);
  assert.equal(statSync(join(root, "var/lib/ablestack-v2k")).mode & 0o777, 0o700);
  assert.deepEqual(JSON.parse(readFileSync(join(root, "usr/share/cockpit/ablestack-v2k/config.json"), "utf8")), {
    helper: "/usr/bin/ablestack_v2k",
    workdirRoot: "/var/lib/ablestack-v2k",
  });
  // the same tree as the staged one the .deb is built from
  const staged = execFileSync("find", [".", "-printf", "%P %m %y\n"], { cwd: "build/stage", encoding: "utf8" }).split("\n").sort();
  const laid = execFileSync(
    "find",
    [
      "usr/share/cockpit/ablestack-v2k",
      "usr/lib/ablestack-v2k",
      "usr/bin/ablestack_v2k",
      "usr/share/doc/ablestack-v2k",
      "usr/share/bash-completion/completions/ablestack_v2k",
      "var/lib/ablestack-v2k",
      "-printf",
      "%p %m %y\n",
    ],
    { cwd: root, encoding: "utf8" },
  ).split("\n");
  for (const line of laid.filter(Boolean)) assert.ok(staged.includes(line), `${line} as staged`);
  mkdirSync(join(root, "var/lib/ablestack-v2k/web01/run1"), { recursive: true });
  writeFileSync(join(root, "var/lib/ablestack-v2k/web01/run1/manifest.json"), "{}");
  rpm(["-e", "ablestack-v2k"]);
  assert.equal(existsSync(join(root, "usr/lib/ablestack-v2k")), false);
  assert.throws(() => lstatSync(join(root, "usr/bin/ablestack_v2k")));
  assert.equal(existsSync(join(root, "usr/share/cockpit/ablestack-v2k")), false);
  assert.ok(existsSync(join(root, "var/lib/ablestack-v2k/web01/run1/manifest.json")), "workdirs survive removal");
});

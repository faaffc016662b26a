// The options recorded with `step-options` are the terminal's defaults, through the helper CLI against the
// lab (web01) and real libvirt: `run`, `sync`, `cutover` and `verify` typed without flags take their step's
// record (the rounds, the domain and the verify show it), an option typed on the command line wins, events.log
// names what was applied, and a hand-edited record is refused (STEP_OPTIONS_INVALID) with the manifest untouched.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LabMigrationWorld } from "../support/lab-migration";
import { cli, cliOk } from "../unit/cutover/cli-helpers";

const world = new LabMigrationWorld({ dir: "v2k-step-opts-", domain: "v2k-t-stepopt-", bridge: "v2kso" });
const { domain, bridge } = world;
let dir: string;
let env: Record<string, string>;

before(async () => {
  ({ dir, env } = await world.open());
});
after(() => world.close());

const manifestOf = (w: string) => JSON.parse(readFileSync(join(w, "manifest.json"), "utf8"));
const incrRounds = (w: string) => manifestOf(w).rounds.filter((r: { kind: string }) => r.kind === "incr").length;
/** The events.log lines that say which recorded options a command applied, oldest first. */
const appliedLines = (w: string) =>
  readFileSync(join(w, "events.log"), "utf8")
    .split("\n")
    .filter((l) => l.includes("recorded step options"))
    .map((l) => JSON.parse(l) as { step: string; message: string });

test("recorded step options drive run, sync, cutover and verify typed without flags; a typed option wins", async () => {
  const W = join(dir, "wd");
  mkdirSync(join(dir, "dst"));
  await cliOk(["--workdir", W, "init", "--vm", "web01", "--dst", join(dir, "dst")], { env });
  const record = (step: string, ...sets: string[]) => cliOk(["--workdir", W, "step-options", step, ...sets.flatMap((s) => ["--set", s])]);
  // a criterion that never holds: the rounds end at max-rounds (default 10), here the recorded 2
  await record("auto-sync", "interval=0", "max-rounds=2", "cutover-when=bytes<0");
  await record("sync", "jobs=3", "coalesce-gap=64K");

  const run = await cliOk(["--workdir", W, "run"], { env, timeoutMs: 300_000 });
  assert.equal(run.incrRounds, 2, "auto-sync's max-rounds");
  assert.equal(run.criterionMet, false);
  assert.equal(incrRounds(W), 2);
  assert.equal(appliedLines(W).at(-1)?.step, "run");
  assert.equal(
    appliedLines(W).at(-1)?.message,
    "recorded step options applied (auto-sync: --interval 0 --max-rounds 2 --cutover-when bytes<0; sync: --jobs 3 --coalesce-gap 64K)",
  );

  const again = await cliOk(["--workdir", W, "run", "--max-rounds", "1"], { env, timeoutMs: 300_000 });
  assert.equal(again.incrRounds, 1, "the command line's --max-rounds wins");
  assert.equal(incrRounds(W), 3);
  assert.match(appliedLines(W).at(-1)!.message, /; the command line's --max-rounds \(auto-sync recorded 2\)$/);

  await cliOk(["--workdir", W, "sync", "incr", "--jobs", "5"], { env });
  assert.equal(
    appliedLines(W).at(-1)?.message,
    "recorded step options applied (sync: --coalesce-gap 64K); the command line's --jobs (sync recorded 3)",
  );

  const cutoverSets = [
    `domain-name=${domain}`,
    "vcpus=1",
    "memory=512M",
    "disk-bus=sata",
    "convert=none",
    "domain-type=qemu",
    "firmware=efi",
  ];
  await record("cutover", ...cutoverSets, "graphics=none", `network-map-default=${bridge}`, "verify-samples=5");
  const cut = await cliOk(["--workdir", W, "cutover", "--shutdown", "poweroff", "--define-only"], { env, timeoutMs: 300_000 });
  assert.equal(cut.domainName, domain, "the recorded domain name");
  const xml = readFileSync(cut.xmlPath, "utf8");
  assert.match(xml, /<vcpu[^>]*>1<\/vcpu>/, "the recorded vcpus (web01 has 2)");
  assert.match(xml, /<memory unit='MiB'>512<\/memory>/, "the recorded memory (web01 has 2048 MiB)");
  assert.match(xml, /bus=["']sata["']/, "the recorded disk bus");
  assert.doesNotMatch(xml, /<graphics/, "the recorded graphics none");
  assert.match(xml, /<os firmware='efi'>/, "the recorded firmware (web01 boots with BIOS)");
  const firmwareWarning = manifestOf(W).warnings.find((w: { code: string }) => w.code === "FIRMWARE_CHANGED");
  assert.match(firmwareWarning?.message ?? "", /^--firmware efi: the VMware VM boots with BIOS/, "the cutover keeps why it may not boot");
  assert.equal(manifestOf(W).verify.at(-1)?.samples, 5, "the cutover's quick verify took the recorded verify-samples");
  assert.equal(
    appliedLines(W).at(-1)?.message,
    `recorded step options applied (cutover: --convert none --verify-samples 5 --domain-name ${domain} --disk-bus sata ` +
      `--domain-type qemu --graphics none --vcpus 1 --memory 512M --firmware efi --network-map-default ${bridge})`,
  );

  await record("verify", "samples=7");
  const v = await cliOk(["--workdir", W, "verify"], { env });
  assert.deepEqual(
    v.disks.map((d: { blocks: number }) => d.blocks),
    [7, 7],
    "the recorded samples per disk",
  );
  const typed = await cliOk(["--workdir", W, "verify", "--samples", "2"], { env });
  assert.deepEqual(
    typed.disks.map((d: { blocks: number }) => d.blocks),
    [2, 2],
    "the command line's samples",
  );

  // a hand-edited record: refused before anything runs, the manifest left byte for byte
  const m = manifestOf(W);
  m.stepOptions.verify = { samples: "0" };
  writeFileSync(join(W, "manifest.json"), JSON.stringify(m, null, 2));
  const before = readFileSync(join(W, "manifest.json"), "utf8");
  const bad = await cli(["--workdir", W, "verify"], { env });
  assert.equal(bad.code, 1);
  assert.equal(bad.error?.code, "STEP_OPTIONS_INVALID");
  assert.match(bad.error!.message, /--samples '0'/);
  assert.match(bad.error!.hint, /step-options verify --set NAME=VALUE/);
  assert.equal(readFileSync(join(W, "manifest.json"), "utf8"), before);
  assert.deepEqual(
    appliedLines(W).map((l) => l.step),
    ["run", "run", "sync incr", "cutover", "verify quick", "verify quick"],
    "one line per command that applied a record, none for the refused one",
  );
});

// run's option handling without a lab: the cutover criterion, the systemd-run command line of a
// detached run, and the refusals that must come before anything is touched.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { criterionHolds, parseCriterion } from "../../../src/helper/run/criterion";
import { systemdRunArgv, unitNameFor } from "../../../src/kit/jobs/index";
import { main } from "../../../src/kit/cli/main";
import { program } from "../../../src/app/program";
import { V2kError } from "../../../src/shared/v2k-error";

test("cutover criterion: parsing, defaults per part, strict comparison", () => {
  const c = parseCriterion("bytes<64M, seconds<30");
  assert.deepEqual(c, { maxBytes: 64 * 1024 * 1024, maxSeconds: 30 });
  assert.equal(criterionHolds(c, { changedBytes: 64 * 1024 * 1024 - 1, durationMs: 29_999 }), true);
  assert.equal(criterionHolds(c, { changedBytes: 64 * 1024 * 1024, durationMs: 1 }), false);
  assert.equal(criterionHolds(c, { changedBytes: 0, durationMs: 30_000 }), false);
  assert.deepEqual(parseCriterion("seconds<5"), { maxBytes: Number.POSITIVE_INFINITY, maxSeconds: 5 });
  for (const bad of ["bytes>1M", "bytes<lots", "seconds<-1", "minutes<3"]) {
    assert.throws(
      () => parseCriterion(bad),
      (e: unknown) => e instanceof V2kError && e.code === "USAGE",
      bad,
    );
  }
});

test("detached run under systemd: unit name from the run id, stdin from a file, output to run.log", () => {
  assert.equal(unitNameFor("20261128-041743-4c7dbe"), "ablestack-v2k-20261128-041743-4c7dbe");
  assert.equal(unitNameFor("a b/c"), "ablestack-v2k-a_b_c");
  const spec = { dir: "/w", log: "run.log", stdinFile: "/w/.job-stdin/s", cwd: "/", env: {} };
  const argv = systemdRunArgv({ ...spec, unit: "ablestack-v2k-r1", argv: ["/usr/bin/node", "/h.mjs", "--workdir", "/w", "run"] });
  assert.deepEqual(argv.slice(0, 3), ["systemd-run", "--unit", "ablestack-v2k-r1"]);
  assert.ok(argv.includes("StandardInput=file:/w/.job-stdin/s"));
  assert.ok(argv.includes("StandardOutput=append:/w/run.log"));
  assert.deepEqual(argv.slice(argv.indexOf("--") + 1), ["/usr/bin/node", "/h.mjs", "--workdir", "/w", "run"]);
  assert.ok(!argv.some((a) => /password/i.test(a)), "no secret on the command line");
  const withEnv = systemdRunArgv({
    ...spec,
    unit: "u",
    argv: ["x"],
    env: { GOVC_URL: "https://vc/sdk", GOVC_PASSWORD: "s3cret", ABLESTACK_V2K_DOMAIN_TYPE: "qemu", HOME: "/root" },
  });
  assert.ok(withEnv.includes("--setenv=GOVC_URL=https://vc/sdk"));
  assert.ok(withEnv.includes("--setenv=ABLESTACK_V2K_DOMAIN_TYPE=qemu"));
  assert.ok(!withEnv.some((a) => a.includes("s3cret") || a.includes("HOME")), "the password stays out, unrelated variables too");
});

test("run refuses before touching anything: phase2 without a run, a new run without --vm/--dst, bad options", async () => {
  const dir = mkdtempSync(join(tmpdir(), "v2k-run-opts-"));
  const out: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => (out.push(String(chunk)), true)) as typeof process.stdout.write;
  try {
    const codes = [
      await main(program, ["--json", "--workdir", join(dir, "w1"), "run", "--split", "phase2"]),
      await main(program, ["--json", "--workdir", join(dir, "w2"), "run", "--until", "cutover"]),
      await main(program, ["--json", "run", "--vm", "x", "--dst", dir, "--cutover-when", "bytes>1"]),
      await main(program, ["--json", "run", "--vm", "x", "--dst", dir, "--split", "phase1", "--until", "cutover"]),
    ];
    assert.deepEqual(codes, [2, 2, 2, 2]);
  } finally {
    process.stdout.write = write;
  }
  const results = out
    .join("")
    .split("\n")
    .filter((l) => l.includes('"type":"result"'))
    .map((l) => JSON.parse(l));
  assert.equal(results.length, 4);
  assert.ok(results.every((r) => r.ok === false && r.error.code === "USAGE"));
  assert.match(results[0].error.message, /phase2/);
  assert.match(results[1].error.message, /--vm and --dst/);
  rmSync(dir, { recursive: true, force: true });
});

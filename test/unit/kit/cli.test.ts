// The CLI kit: globals anywhere on the command line, the registry's clash check, usage errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { z } from "zod";
import { defineCommand } from "../../../src/kit/cli/command";
import { parseGlobals, splitArgv } from "../../../src/kit/cli/argv";
import { main } from "../../../src/kit/cli/main";
import { defineProgram } from "../../../src/kit/cli/registry";
import { program } from "../../../src/app/program";

test("globals are taken before, after and among the command's words and options", () => {
  assert.deepEqual(splitArgv(["--workdir", "W", "cbt", "status", "--json"]), {
    globals: ["--workdir", "W", "--json"],
    words: ["cbt", "status"],
    rest: [],
  });
  assert.deepEqual(splitArgv(["cbt", "--json", "status", "--workdir=W", "--resume"]), {
    globals: ["--json", "--workdir=W", "--resume"],
    words: ["cbt", "status"],
    rest: [],
  });
  assert.deepEqual(splitArgv(["sync", "incr", "--jobs", "4", "-h", "--workdir", "W", "extra"]), {
    globals: ["-h", "--workdir", "W"],
    words: ["sync", "incr"],
    rest: ["--jobs", "4", "extra"],
  });
  // after `--` everything is the command's
  assert.deepEqual(splitArgv(["copy", "--", "--json"]), { globals: [], words: ["copy"], rest: ["--", "--json"] });
});

test("global values: --workdir W and --workdir=W alike; a missing value is a usage error", () => {
  assert.equal(parseGlobals(splitArgv(["--workdir=/w/1", "status"]).globals).workdir, "/w/1");
  const g = parseGlobals(splitArgv(["status", "--workdir", "/w/2", "--json", "--resume"]).globals);
  assert.deepEqual(g, { json: true, workdir: "/w/2", resume: true, help: false, version: false });
  assert.throws(() => parseGlobals(splitArgv(["status", "--workdir"]).globals), /--workdir/);
  assert.throws(() => parseGlobals(splitArgv(["--json=yes", "status"]).globals));
});

const noop = (path: string[], options: Record<string, { type: "string" | "boolean"; short?: string; description: string }>) =>
  defineCommand({
    path,
    summary: "x",
    options,
    schema: z.object({ positionals: z.array(z.string()) }).passthrough(),
    run: async () => undefined,
  });

test("the registry refuses a command option that a global would take, and two commands on one path", () => {
  const base = { name: "p", description: "d", version: "1" };
  assert.throws(
    () => defineProgram({ ...base, commands: [noop(["a"], { resume: { type: "boolean", description: "r" } })] }),
    /'a' defines --resume/,
  );
  assert.throws(
    () => defineProgram({ ...base, commands: [noop(["a"], { home: { type: "string", short: "h", description: "r" } })] }),
    /-h/,
  );
  assert.throws(() => defineProgram({ ...base, commands: [noop(["a"], {}), noop(["a"], {})] }), /two commands/);
  // the program as shipped passes its own check (it ran at import), and carries both command sets
  assert.ok(program.commands.some((c) => c.path.join(" ") === "cbt status"));
  assert.ok(program.commands.some((c) => c.path.join(" ") === "lab start"));
});

async function capture(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const [w1, w2] = [process.stdout.write.bind(process.stdout), process.stderr.write.bind(process.stderr)];
  process.stdout.write = ((c: string) => (out.push(String(c)), true)) as typeof process.stdout.write;
  process.stderr.write = ((c: string) => (err.push(String(c)), true)) as typeof process.stderr.write;
  try {
    const code = await main(program, argv);
    return { code, stdout: out.join(""), stderr: err.join("") };
  } finally {
    process.stdout.write = w1;
    process.stderr.write = w2;
  }
}

test("main: --json and --resume after the command; unknown options are USAGE (exit 2) with a hint", async () => {
  const ok = await capture(["version", "--resume", "--json"]);
  assert.equal(ok.code, 0);
  assert.equal(JSON.parse(ok.stdout.trim().split("\n").at(-1)!).ok, true);
  const bad = await capture(["version", "--bogus", "--json"]);
  assert.equal(bad.code, 2);
  const last = JSON.parse(bad.stdout.trim().split("\n").at(-1)!);
  assert.equal(last.error.code, "USAGE");
  assert.match(last.error.message, /--bogus/);
  assert.match(last.error.hint, /version --help/);
  const before = await capture(["--bogus", "version"]);
  assert.equal(before.code, 2);
  assert.match(before.stderr, /unknown option: --bogus/);
});

test("main: --help anywhere shows the command's help, globals listed (with --resume)", async () => {
  const h = await capture(["cbt", "status", "--json", "-h"]);
  assert.equal(h.code, 0);
  assert.match(h.stdout, /usage: ablestack_v2k .*cbt status/);
  assert.match(h.stdout, /--resume/);
  const top = await capture(["--help"]);
  assert.match(top.stdout, /--workdir DIR/);
  assert.match(top.stdout, /lab start/);
});

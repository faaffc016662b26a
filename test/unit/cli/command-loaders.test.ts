// A command line loads its first word's commands only (src/app/program-for.ts): the loaders answer for
// exactly the commands the whole program lists, a command line they cannot answer gets the whole program,
// and the built helper's `version` evaluates none of the modules that need the network or subprocesses.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { program } from "../../../src/app/program";
import { commandLoaders, programFor } from "../../../src/app/program-for";
import { docsCommands } from "../../../src/app/docs-commands";

const firstWords = (paths: readonly { path: string[] }[]) => [...new Set(paths.map((c) => c.path[0]!))].sort();

test("each loader loads exactly the whole program's commands of its word", async () => {
  for (const [word, load] of commandLoaders) {
    const loaded = await load();
    const listed = program.commands.filter((c) => c.path[0] === word);
    assert.ok(loaded.length > 0, word);
    assert.deepEqual(loaded, listed, `the commands of '${word}'`);
  }
});

test("every command word has a loader but help and completion, which list the whole program", () => {
  const docsWords = firstWords(docsCommands(() => program));
  assert.deepEqual(docsWords, ["completion", "help"]);
  assert.deepEqual(firstWords(program.commands), [...commandLoaders.keys(), ...docsWords].sort());
});

test("a command line gets its word's commands; help, an unknown command or a bad global option the whole program", async () => {
  const paths = async (argv: string[]) => (await programFor(argv)).commands.map((c) => c.path.join(" "));
  assert.deepEqual(await paths(["--json", "--workdir", "W", "sync", "incr"]), ["sync"]);
  assert.deepEqual(await paths(["cbt", "enable", "--help"]), ["cbt enable", "cbt status"]);
  assert.deepEqual(
    await paths(["lab", "stop"]),
    (await commandLoaders.get("lab")!()).map((c) => c.path.join(" ")),
  );
  for (const argv of [[], ["--help"], ["help", "sync"], ["completion", "bash"], ["cbt", "bogus"], ["sync", "--workdir"], ["constructor"]]) {
    assert.equal(await programFor(argv), program, argv.join(" "));
  }
  const partial = await programFor(["version"]);
  assert.deepEqual([partial.name, partial.description, partial.version], [program.name, program.description, program.version]);
});

test("the built helper's `version` evaluates none of the modules that need the network or subprocesses", () => {
  const dir = mkdtempSync(join(tmpdir(), "v2k-loaded-"));
  try {
    // Node's own list of the built-in modules this process loaded, printed at exit
    const probe = join(dir, "probe.cjs");
    writeFileSync(probe, 'process.on("exit", () => process.stderr.write(JSON.stringify(process.moduleLoadList)));');
    const r = spawnSync(process.execPath, ["--require", probe, "dist/helper/ablestack_v2k.mjs", "version"], {
      encoding: "utf8",
      env: { ...process.env, ABLESTACK_V2K_CODE_CACHE: "off" },
    });
    assert.equal(r.status, 0, r.stderr);
    const loaded = JSON.parse(r.stderr) as string[];
    // (node:net is not in the list: Node loads it for stdio pipes)
    for (const m of ["child_process", "tls", "http", "https", "zlib"]) {
      assert.ok(!loaded.includes(`NativeModule ${m}`), `version loaded node:${m}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

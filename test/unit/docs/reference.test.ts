// Help, bash completion and the installed reference come from the registry's option specs and the
// error codes: the committed pkg/doc/reference.md must be current and document every command, option,
// exit code and error code; completion is exercised in a real bash.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { program } from "../../../src/app/program";
import { globalOptions } from "../../../src/kit/cli/argv";
import { errorCodes } from "../../../src/shared/errors";
import { errorDocs } from "../../../src/app/docs/error-docs";
import { EXIT_CODES } from "../../../src/kit/cli/exit-codes";
import { renderReference } from "../../../src/app/docs/reference";
import { bashCompletion } from "../../../src/app/docs/completion";

const REFERENCE = "pkg/doc/reference.md";
const helper = "dist/ablestack_v2k";
const visible = program.commands.filter((c) => !c.hidden);

test("the committed reference is current (run `make docs` after changing commands, options or error codes)", () => {
  assert.equal(readFileSync(REFERENCE, "utf8"), renderReference(program) + "\n");
});

test("the reference documents every command, option, exit code and error code", () => {
  const ref = readFileSync(REFERENCE, "utf8");
  const missing: string[] = [];
  for (const c of visible) {
    const section = ref.split(`\n### ${c.path.join(" ")}\n`)[1]?.split("\n### ")[0] ?? "";
    if (!section) missing.push(`command ${c.path.join(" ")}`);
    for (const [name, o] of Object.entries(c.options)) {
      if (!section.includes(`\`--${name}`) || !section.includes(o.description.replace(/\|/g, "\\|")))
        missing.push(`${c.path.join(" ")} --${name}`);
    }
  }
  for (const name of Object.keys(globalOptions)) if (!ref.includes(`\`--${name}`)) missing.push(`global --${name}`);
  for (const e of EXIT_CODES) if (!ref.includes(`| ${e.code} | `)) missing.push(`exit ${e.code}`);
  for (const code of errorCodes) {
    if (!ref.includes(`| \`${code}\` |`)) missing.push(`error ${code}`);
    if (!errorDocs[code]?.meaning || !errorDocs[code]?.action) missing.push(`errorDocs ${code}`);
  }
  assert.deepEqual(missing, []);
  assert.ok(!ref.includes("| `copy` |"), "hidden developer commands stay out");
});

test("help COMMAND prints the command's options; an unknown one is a usage error (exit 2)", () => {
  const out = execFileSync(helper, ["help", "cutover"], { encoding: "utf8" });
  assert.match(out, /usage: ablestack_v2k \[--workdir DIR\] \[--json\] \[--resume\] cutover \[options\]/);
  for (const name of Object.keys(visible.find((c) => c.path.join(" ") === "cutover")!.options))
    assert.match(out, new RegExp(`--${name}\\b`));
  assert.equal(
    execFileSync(helper, ["help", "cbt", "enable"], { encoding: "utf8" }),
    execFileSync(helper, ["cbt", "enable", "--help"], { encoding: "utf8" }),
  );
  const bad = spawnSync(helper, ["--json", "help", "no", "such"], { encoding: "utf8" });
  assert.equal(bad.status, 2);
  assert.equal(JSON.parse(bad.stdout.trim().split("\n").at(-1)!).error.code, "USAGE");
  assert.match(execFileSync(helper, ["help"], { encoding: "utf8" }), /exit codes:\n {2}0 {2}done/);
});

test("exit codes: 0 done, 1 failed, 2 usage (as listed)", () => {
  assert.deepEqual(
    EXIT_CODES.map((e) => e.code),
    [0, 1, 2, 3],
  );
  assert.equal(spawnSync(helper, ["version"]).status, 0);
  assert.equal(spawnSync(helper, ["--workdir", "/nonexistent/v2k", "status"]).status, 1);
  assert.equal(spawnSync(helper, ["status", "--bogus"]).status, 2);
});

let script: string | undefined;

function complete(words: string[]): string[] {
  script ??= execFileSync(helper, ["completion", "bash"], { encoding: "utf8" });
  const out = execFileSync(
    "bash",
    [
      "-c",
      `${script}\nCOMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); _ablestack_v2k; printf '%s\\n' "\${COMPREPLY[@]}"`,
      "_",
      "ablestack_v2k",
      ...words,
    ],
    { encoding: "utf8" },
  );
  return out.split("\n").filter(Boolean).sort();
}

test("bash completion: command words, options, choice values and directories from the same specs", () => {
  assert.equal(execFileSync(helper, ["completion", "bash"], { encoding: "utf8" }).trim(), bashCompletion(program).trim());
  assert.deepEqual(complete(["cb"]), ["cbt"]);
  assert.deepEqual(complete(["cbt", ""]), ["enable", "status"]);
  assert.deepEqual(complete(["lab", "d"]), ["disk-hash"]);
  assert.deepEqual(complete(["--workdir", "/tmp", "cutover", "--disk-bus", ""]), ["auto", "sata", "scsi", "virtio"]);
  assert.deepEqual(complete(["cutover", "--shutdown", "g"]), ["guest"]);
  assert.deepEqual(complete(["cutover", "--sh"]), ["--shutdown", "--shutdown-timeout"]);
  assert.deepEqual(complete(["--js"]), ["--json"]);
  assert.deepEqual(complete(["help", "ro"]), ["rollback"]);
  assert.deepEqual(complete(["--workdir", "/et"]), ["/etc"]);
  const first = complete([""]);
  assert.deepEqual(first, [...new Set(visible.map((c) => c.path[0]!))].sort(), "each first word once");
  for (const c of visible) {
    const opts = complete([...c.path, "--"]);
    for (const name of Object.keys(c.options)) assert.ok(opts.includes(`--${name}`), `${c.path.join(" ")} --${name}`);
  }
});

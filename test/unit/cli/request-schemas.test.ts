// The shared request declarations (src/shared/requests) are the only source of the commands' options:
// request -> argv -> the CLI's own parse gives the request back, the help prints the defaults the
// schemas apply, and no command declares an option beside them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { helperCommands } from "../../../src/helper/commands/index";
import { parseCommandArgs } from "../../../src/kit/cli/main";
import { type Command } from "../../../src/kit/cli/command";
import { COPY_DEFAULTS } from "../../../src/helper/engine/copy";
import { DEFAULT_CEPH_CONF, DEFAULT_CEPH_ID } from "../../../src/helper/storage/rbd/index";
import {
  DiskBusPolicy,
  DomainTypePolicy,
  FirmwarePolicy,
  GraphicsPolicy,
  NicModelPolicy,
  UuidPolicy,
} from "../../../src/helper/libvirt/domain-policy";
import { ConvertPolicy } from "../../../src/helper/convert/plan";
import {
  REQUESTS,
  RBD_TUNING_DEFAULTS,
  TUNING_DEFAULTS,
  CEPH_DEFAULTS,
  domainDecls,
  cutoverDecls,
} from "../../../src/shared/requests/commands";
import { defaultText, optionSpecs, requestArgv, type OptionDecl, type OptionDecls } from "../../../src/shared/requests/option";

const commandOf = (words: readonly string[]): Command => {
  const c = helperCommands.find((x) => x.path.join(" ") === words.join(" "));
  assert.ok(c, words.join(" "));
  return c;
};
const parse = (c: Command, argv: string[]) => parseCommandArgs(c, argv.slice(c.path.length), "") as Record<string, unknown>;

/** A value other than the default for each option, valid for its declaration. */
function sample(name: string, d: OptionDecl): unknown {
  switch (d.kind) {
    case "boolean":
      return true;
    case "strings":
      return name === "network-map" ? ["VM Network=br0", "Backup=network:isolated"] : ["0=/dev/vdb", "1=/dev/vdc"];
    case "enum":
      return d.values.find((v) => v !== d.default);
    case "int":
      return (d.min ?? 0) + 3;
    case "number":
      return 7.5;
    case "size":
      return 8 * 1024 * 1024;
    case "criterion":
      return { maxBytes: 64 * 1024 * 1024, maxSeconds: 45 };
    case "string":
      if (name === "seed") return "abc-1";
      if (name === "cutover-at") return "23:59";
      if (name === "ceph-id" || name === "rbd-pool" || name === "domain-name") return "pool.a";
      return `it's ${name} with spaces`; // one argv element: no shell between page and helper
  }
}

// options that exclude each other on the command line, left out of the sample request
const EXCLUDED: Record<string, string[]> = {
  run: ["split", "define-only", "fleet"],
  cleanup: ["keep-workdir", "delete-snapshots"],
  init: ["target-mode"],
  preflight: ["target-mode"],
};
const REQUIRED: Record<string, Record<string, string>> = { preflight: { vm: "vm1", dst: "/d" }, init: { vm: "vm1" } };
const POSITIONALS: Record<string, string[]> = { snapshot: ["incr"], sync: ["base"] };

for (const [name, r] of Object.entries(REQUESTS)) {
  const decls: OptionDecls = r.decls;
  const command = commandOf(r.words);
  const base = { ...REQUIRED[name], positionals: POSITIONALS[name] ?? [] };

  test(`${name}: the command's options are exactly the shared declaration's (none declared twice)`, () => {
    assert.deepEqual(command.options, optionSpecs(decls));
  });

  test(`${name}: request -> argv -> the CLI's parse gives the request back`, () => {
    const defaults = parse(command, requestArgv(r.words, decls, base));
    const request: Record<string, unknown> = { ...base };
    for (const [n, d] of Object.entries(decls)) if (!(EXCLUDED[name] ?? []).includes(n)) request[n] = sample(n, d);
    if (name === "init") request["target-format"] = "raw"; // rbd (the sample's storage) is written raw
    if (name === "run") request.until = "cutover"; // --cutover-at schedules a cutover
    const argv = requestArgv(r.words, decls, request);
    assert.deepEqual(parse(command, argv), { ...defaults, ...request }, argv.join(" "));
  });

  test(`${name}: default values stay off the command line and come back from the parse`, () => {
    const defaults = parse(command, requestArgv(r.words, decls, base));
    const argv = requestArgv(r.words, decls, defaults);
    const required = Object.entries(REQUIRED[name] ?? {}).flatMap(([k, v]) => [`--${k}`, v]);
    assert.deepEqual(argv, [...r.words, ...(POSITIONALS[name] ?? []), ...required]);
    assert.deepEqual(parse(command, argv), defaults);
  });

  test(`${name}: --help shows each default equal to the value the schema applies`, () => {
    const applied = parse(command, requestArgv(r.words, decls, base));
    for (const [n, d] of Object.entries(decls)) {
      const text = defaultText(d);
      if (text === undefined) continue;
      const description = command.options[n]!.description;
      assert.ok(description.endsWith(`(default ${text})`), `${n}: ${description}`);
      if (d.kind !== "criterion") assert.deepEqual(applied[n], d.default, n);
    }
  });
}

test("run's criterion default parses to the values the help prints", () => {
  const run = commandOf(["run"]);
  assert.match(run.options["cutover-when"]!.description, /\(default bytes<512M,seconds<300\)$/);
  assert.deepEqual(parse(run, ["run"])["cutover-when"], { maxBytes: 512 * 1024 * 1024, maxSeconds: 300 });
});

test("defaults applied outside the schemas are the shared constants the help prints", () => {
  assert.equal(COPY_DEFAULTS.requests, TUNING_DEFAULTS.requests);
  assert.equal(COPY_DEFAULTS.chunkSize, TUNING_DEFAULTS.chunkSize);
  assert.equal(COPY_DEFAULTS.coalesceGap, TUNING_DEFAULTS.coalesceGap);
  for (const c of [commandOf(["sync"]), commandOf(["run"])]) {
    assert.match(
      c.options["jobs"]!.description,
      new RegExp(`\\(default ${COPY_DEFAULTS.requests}, ${RBD_TUNING_DEFAULTS.requests} into Ceph RBD\\)$`),
    );
    assert.match(c.options["chunk"]!.description, /\(default 4M, 512K into Ceph RBD\)$/);
    assert.match(c.options["coalesce-gap"]!.description, /\(default 1M\)$/);
  }
  assert.equal(DEFAULT_CEPH_CONF, CEPH_DEFAULTS.conf);
  assert.equal(DEFAULT_CEPH_ID, CEPH_DEFAULTS.id);
});

test("the declared choices are the helper's policies", () => {
  assert.deepEqual(domainDecls["disk-bus"].values, DiskBusPolicy.options);
  assert.deepEqual(domainDecls["nic-model"].values, NicModelPolicy.options);
  assert.deepEqual(domainDecls.uuid.values, UuidPolicy.options);
  assert.deepEqual(domainDecls["domain-type"].values, DomainTypePolicy.options);
  assert.deepEqual(domainDecls.graphics.values, GraphicsPolicy.options);
  assert.deepEqual(domainDecls.firmware.values, FirmwarePolicy.options);
  assert.deepEqual(REQUESTS.preflight.decls.firmware.values, FirmwarePolicy.options, "preflight checks the choice cutover takes");
  assert.deepEqual(cutoverDecls.convert.values, ConvertPolicy.options);
});

test("requestArgv refuses an option the command does not declare", () => {
  assert.throws(() => requestArgv(["sync"], REQUESTS.sync.decls, { positionals: ["incr"], job: 4 }), /no option --job/);
});

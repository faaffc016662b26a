// The helper refuses a Node.js older than 20 before anything else runs, with a stable code and what to
// install; checked on the version parser and on the built bundle under a faked old process.version.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { nodeVersionProblem } from "../../../src/app/node-version";

const fakeVersion = (v: string) => `data:text/javascript,Object.defineProperty(process,"version",{value:"${v}"})`;

test("versions: 20 and newer pass; older ones get NODE_TOO_OLD with the Rocky module stream to enable", () => {
  assert.equal(nodeVersionProblem("v20.0.0"), null);
  assert.equal(nodeVersionProblem("v22.11.0"), null);
  const old = nodeVersionProblem("v18.19.1");
  assert.equal(old?.code, "NODE_TOO_OLD");
  assert.match(old!.message, /Node\.js 20 or newer; this is Node\.js v18\.19\.1/);
  assert.match(old!.hint, /dnf module enable nodejs:20/);
  assert.equal(nodeVersionProblem("garbage")?.code, "NODE_TOO_OLD");
});

test("the built helper on an old Node: exit 1, a clear message, a JSON result line with --json", () => {
  const human = spawnSync(process.execPath, ["--import", fakeVersion("v16.20.2"), "dist/helper/ablestack_v2k.mjs", "--version"], {
    encoding: "utf8",
  });
  assert.equal(human.status, 1);
  assert.equal(human.stdout, "", "nothing else ran");
  assert.match(
    human.stderr,
    /needs Node\.js 20 or newer.*\[NODE_TOO_OLD\]\n {2}hint: Rocky\/EL 9: dnf module reset nodejs; dnf module enable nodejs:20/s,
  );
  const json = spawnSync(process.execPath, ["--import", fakeVersion("v18.0.0"), "dist/helper/ablestack_v2k.mjs", "--json", "list"], {
    encoding: "utf8",
  });
  assert.equal(json.status, 1);
  const result = JSON.parse(json.stdout.trim());
  assert.equal(result.type, "result");
  assert.equal(result.ok, false);
  assert.equal(result.error.code, "NODE_TOO_OLD");
  const current = spawnSync(process.execPath, ["dist/helper/ablestack_v2k.mjs", "--version"], { encoding: "utf8" });
  assert.equal(current.status, 0);
});

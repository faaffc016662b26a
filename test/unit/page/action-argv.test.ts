// The page's command lines are derived from the helper's declarations: each parses with the helper's
// own parser into what the page asked for, and the page's criterion is the helper's default.
import { test } from "node:test";
import assert from "node:assert/strict";
import { helperCommands } from "../../../src/helper/commands/index";
import { findCommand } from "../../../src/kit/cli/registry";
import { parseCommandArgs } from "../../../src/kit/cli/main";
import { actionCommand, connectionArgs } from "../../../src/page/host/api";
import { DEFAULT_CRITERION } from "../../../src/page/state/derive";

const conn = { url: "https://vc.example/sdk", username: "admin@vsphere.local", password: "s3cret", thumbprint: "AA:BB" };
function helperParse(argv: string[]) {
  const words = argv.slice(0, argv.findIndex((a) => a.startsWith("-")) >>> 0);
  const found = findCommand(helperCommands, words);
  assert.ok(found, argv.join(" "));
  return parseCommandArgs(found.command, [...found.rest, ...argv.slice(words.length), ...connectionArgs(conn)], "") as Record<
    string,
    unknown
  >;
}

test("every page action is a command line the helper accepts, with the options the page chose", () => {
  assert.deepEqual(helperParse(actionCommand("sync-incr")).positionals, ["incr"]);
  const run = helperParse(actionCommand("auto-sync"));
  assert.equal(run.until, "synced");
  assert.equal(run.interval, 60, "the helper's default interval");
  assert.equal(helperParse(actionCommand("verify")).mode, "quick");
  const cut = helperParse(actionCommand("cutover", { shutdown: "poweroff", start: true, networkMap: { "VM Network": "br0", x: "" } }));
  assert.deepEqual([cut.shutdown, cut.start, cut["network-map"]], ["poweroff", true, ["VM Network=br0"]]);
  const start = helperParse(actionCommand("start"));
  assert.deepEqual([start.start, start["network-map"]], [true, undefined], "start uses the map the manifest holds");
  assert.equal(helperParse(actionCommand("rollback", { removeDisks: true }))["remove-disks"], true);
  assert.equal(helperParse(actionCommand("cleanup", { deleteTarget: false }))["delete-target"], false);
  const c = helperParse(actionCommand("cbt-enable"));
  assert.deepEqual([c.vcenter, c.username, c.thumbprint, c["password-stdin"]], [conn.url, conn.username, "AA:BB", true]);
  assert.ok(!connectionArgs(conn).includes(conn.password), "the password never goes in argv");
});

test("the page's cutover criterion is the helper's run default", () => {
  const run = helperParse(["run"]);
  assert.deepEqual(run["cutover-when"], { maxBytes: DEFAULT_CRITERION.maxChangedBytes, maxSeconds: DEFAULT_CRITERION.maxSeconds });
});

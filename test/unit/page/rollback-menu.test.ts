// After rollback the page offers retry (as the helper allows it) and delete, with their command lines.
import { test } from "node:test";
import assert from "node:assert/strict";
import { rollbackMenu } from "../../../src/page/state/derive";
import { actionCommand, isLongAction } from "../../../src/page/host/api";
import { sampleManifest, syncedRound } from "./fixtures";

const rounds = [syncedRound(0, "base", 1024, 10), syncedRound(1, "incr", 0, 10)];
const rollback = { at: "2026-01-01T02:00:00.000Z", sourcePoweredOn: true, domainUndefined: true, disksRemoved: false };

const menu = (m: ReturnType<typeof sampleManifest>) => rollbackMenu(m).map((a) => `${a.id}:${a.enabled ? "on" : (a.reason ?? "off")}`);

test("no kebab before a rollback, nor after a successful migration", () => {
  assert.deepEqual(menu(sampleManifest({ phase: "incr-synced", rounds })), []);
  assert.deepEqual(menu(sampleManifest({ phase: "cleaned", rounds })), []);
});

test("rolled back with a base copy and its disks: retry and delete", () => {
  assert.deepEqual(menu(sampleManifest({ phase: "rolled-back", rounds, rollback })), ["retry:on", "delete:on"]);
});

test("retry is disabled, with the reason, where the helper would refuse it", () => {
  assert.deepEqual(menu(sampleManifest({ phase: "rolled-back", rounds, rollback: { ...rollback, disksRemoved: true } })), [
    "retry:disks-removed",
    "delete:on",
  ]);
  assert.deepEqual(menu(sampleManifest({ phase: "rolled-back", rounds: [], rollback })), ["retry:no-base", "delete:on"]);
  assert.deepEqual(menu(sampleManifest({ phase: "cleaned", rounds, rollback })), ["retry:cleaned", "delete:on"]);
});

test("retry is the next incremental round (detached); delete is cleanup removing the workdir", () => {
  assert.deepEqual(actionCommand("retry"), ["sync", "incr"]);
  assert.equal(isLongAction("retry"), true);
  assert.deepEqual(actionCommand("delete", { deleteTarget: true }), ["cleanup", "--remove-workdir", "--delete-target"]);
  assert.deepEqual(actionCommand("delete", { deleteTarget: false }), ["cleanup", "--remove-workdir"]);
  assert.equal(isLongAction("delete"), false);
});

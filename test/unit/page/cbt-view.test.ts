// CBT per disk on the page: vCenter's changeId now against the one the target holds tells tracking, not active,
// not yet copied, reset (another epoch: the next round copies the disk in full) or a full copy already planned.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cbtDiskRows } from "../../../src/page/state/cbt-view";
import { sampleManifest } from "./fixtures";

const base = sampleManifest();
const disk = base.disks[0]!;
const withSynced = (syncedChangeId: string | null, needsRebase: string | null = null) =>
  sampleManifest({ disks: [{ ...disk, syncedChangeId, needsRebase }] });
const status = (changeId: string | null, enabled = true) => ({
  enabled,
  active: enabled && changeId !== null,
  disks: [{ key: disk.key, label: disk.label, changeId }],
});

test("each disk's CBT state from vCenter's changeId and the one the target holds", () => {
  const state = (m: ReturnType<typeof withSynced>, s: ReturnType<typeof status>) => cbtDiskRows(m, s).map((r) => r.state);
  assert.deepEqual(state(withSynced("52 3f aa/12"), status("52 3f aa/17")), ["tracking"], "same epoch, later sequence");
  assert.deepEqual(state(withSynced("52 3f aa/12"), status("52 3f bb/3")), ["reset"], "another epoch: CBT was reset");
  assert.deepEqual(state(withSynced("52/3f aa/12"), status("52/3f aa/13")), ["tracking"], "the epoch ends at the last slash");
  assert.deepEqual(state(withSynced(null), status("52 3f aa/1")), ["not-synced"]);
  assert.deepEqual(state(withSynced("52 3f aa/12"), status(null)), ["not-active"]);
  assert.deepEqual(state(withSynced("52 3f aa/12"), status("52 3f aa/13", false)), ["not-active"], "tracking off on the VM");
  assert.deepEqual(state(withSynced("52 3f aa/12", "disk grew"), status("52 3f aa/13")), ["rebase-pending"]);
  const row = cbtDiskRows(withSynced("52 3f aa/12"), status("52 3f aa/17"))[0]!;
  assert.deepEqual([row.label, row.changeId, row.syncedChangeId], [disk.label, "52 3f aa/17", "52 3f aa/12"]);
  const missing = cbtDiskRows(withSynced("52 3f aa/12"), { enabled: true, active: false, disks: [] })[0]!;
  assert.equal(missing.state, "not-active", "a disk vCenter no longer lists is not tracked");
});

// What a datastore worker keeps of the lab process's grants: data file grants of the same request, for
// GRANT_KEEP_MS at most, none once revoked; replies and reads the lab process serves are asked each time.
import { test } from "node:test";
import assert from "node:assert/strict";
import { KeptGrants } from "../../../src/lab/folder-workers/kept-grants";
import { GRANT_KEEP_MS, type FolderGrant } from "../../../src/lab/folder-workers/protocol";

const request = { method: "GET", url: "/folder/web01/web01-flat.vmdk?dcPath=lab-dc&dsName=ds1", cookie: "c=1", authorization: undefined };
const file: FolderGrant = { kind: "file", path: "/lab/ds1/web01/web01-flat.vmdk", name: "[ds1] web01/web01-flat.vmdk", size: 1 << 30 };

test("kept grants: a file grant for the same request until it ages out or is revoked", () => {
  let now = 1000;
  const kept = new KeptGrants(() => now);
  kept.keep(request, file);
  assert.deepEqual(kept.get(request), file);
  assert.equal(kept.get({ ...request, cookie: "c=2" }), undefined, "another session asks");
  assert.equal(kept.get({ ...request, method: "HEAD" }), undefined, "another method asks");
  now += GRANT_KEEP_MS;
  assert.equal(kept.get(request), undefined, "aged out");
  kept.keep(request, file);
  kept.clear();
  assert.equal(kept.get(request), undefined, "revoked");
});

test("kept grants: replies and reads the lab process serves itself are never kept", () => {
  const kept = new KeptGrants(() => 0);
  kept.keep(request, { kind: "primary" });
  assert.equal(kept.get(request), undefined);
  kept.keep(request, { kind: "reply", status: 401, text: "Authentication required\n", headers: {} });
  assert.equal(kept.get(request), undefined);
});

// RBD target names, --target-map-json and mon_host parsing (pure parts of src/helper/storage/rbd).
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  defaultImageName,
  diskSlot,
  parseMonHost,
  parseRbdPath,
  parseTargetMap,
  rbdTargetSpec,
} from "../../../src/helper/storage/rbd/index";
import { qemuFilename } from "../../../src/helper/endpoints/index";
import { V2kError } from "../../../src/shared/v2k-error";

const usage = (e: unknown) => e instanceof V2kError && e.code === "USAGE";

test("rbd:pool/image names: parsed, validated, default <vm>-disk<N>", () => {
  assert.deepEqual(parseRbdPath("rbd:glue/web01-disk0"), { pool: "glue", image: "web01-disk0" });
  assert.deepEqual(parseRbdPath("glue/x"), { pool: "glue", image: "x" });
  for (const bad of ["rbd:glue", "rbd:a/b/c", "rbd:a/b:conf=/x", "rbd:a b/c", "rbd:/x"]) assert.throws(() => parseRbdPath(bad), usage, bad);
  assert.equal(defaultImageName("web 01/x", 1), "web_01_x-disk1");
  assert.equal(diskSlot("pvscsi", 0, 1), "scsi0:1");
  assert.equal(diskSlot("sata", 1, 0), "sata1:0");
  assert.equal(diskSlot("nvme", 0, 0), "nvme0:0");
});

test("--target-map-json: slots, indexes or keys; unknown disks, duplicates and bad JSON refused", () => {
  const disks = [
    { key: 2000, index: 0, slot: "scsi0:0" },
    { key: 2001, index: 1, slot: "scsi1:0" },
  ];
  const m = parseTargetMap(`{"scsi0:0":"rbd:p/a","1":"rbd:q/b"}`, disks);
  assert.deepEqual(Object.fromEntries(m), { 2000: { pool: "p", image: "a" }, 2001: { pool: "q", image: "b" } });
  assert.deepEqual(Object.fromEntries(parseTargetMap(`{"2001":"rbd:p/c"}`, disks)), { 2001: { pool: "p", image: "c" } });
  assert.throws(() => parseTargetMap(`{"scsi9:0":"rbd:p/a"}`, disks), usage);
  assert.throws(() => parseTargetMap(`{"0":"rbd:p/a","1":"rbd:p/a"}`, disks), usage);
  assert.throws(() => parseTargetMap(`{"0":5}`, disks), usage);
  assert.throws(() => parseTargetMap(`[1]`, disks), usage);
  assert.throws(() => parseTargetMap(`{`, disks), usage);
});

test("mon_host: v2 address preferred, legacy forms and IPv6 understood", () => {
  assert.deepEqual(parseMonHost("[v2:10.0.0.1:3300,v1:10.0.0.1:6789] [v2:10.0.0.2:3300/0,v1:10.0.0.2:6789/0]"), [
    { host: "10.0.0.1", port: 3300 },
    { host: "10.0.0.2", port: 3300 },
  ]);
  assert.deepEqual(parseMonHost("10.0.0.1,10.0.0.2:6790 mon3"), [
    { host: "10.0.0.1", port: 6789 },
    { host: "10.0.0.2", port: 6790 },
    { host: "mon3", port: 6789 },
  ]);
  assert.deepEqual(parseMonHost("[v1:10.0.0.9:6789]"), [{ host: "10.0.0.9", port: 6789 }]);
  assert.deepEqual(parseMonHost("[::1]:3300"), [{ host: "::1", port: 3300 }]);
  assert.deepEqual(parseMonHost(""), []);
});

test("a manifest disk on RBD becomes qemu's rbd: filename with the run's conf and client id", () => {
  const m = {
    target: {
      dir: "/w",
      format: "raw" as const,
      mode: "rbd" as const,
      transport: "http" as const,
      ceph: { conf: "/etc/ceph/x.conf", id: "v2k", pool: "p" },
    },
  };
  const spec = rbdTargetSpec({ target: { path: "rbd:p/web01-disk0", format: "raw", mode: "rbd" } }, m, 1024);
  assert.deepEqual(spec, { kind: "rbd", pool: "p", image: "web01-disk0", conf: "/etc/ceph/x.conf", user: "v2k", createSize: 1024 });
  assert.equal(qemuFilename(spec), "rbd:p/web01-disk0:conf=/etc/ceph/x.conf:id=v2k");
  assert.throws(
    () =>
      rbdTargetSpec(
        { target: { path: "rbd:p/x", format: "raw", mode: "rbd" } },
        { target: { dir: "/w", format: "raw", mode: "rbd", transport: "http" } },
      ),
    (e: unknown) => e instanceof V2kError && e.code === "MANIFEST_CORRUPT",
  );
});

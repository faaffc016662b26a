// The wizard's storage choice as the helper receives it: preflight and init get the same target options
// (file: --dst and the format; block: a device per disk; rbd: the pool and the page's Ceph conf), and the
// helper's own parser reads them back. The image names shown are the ones init plans.
import { test, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { setCockpit } from "../../../src/page/host/cockpit";
import { setPageConfig } from "../../../src/page/host/config";
import * as api from "../../../src/page/host/api";
import { plannedImages, targetChoice } from "../../../src/page/components/wizard/wizard-data";
import { targetStepDone } from "../../../src/page/components/wizard/wizard-steps";
import { emptyWizardData, type WizardData } from "../../../src/page/components/wizard/wizard-data";
import { helperCommands } from "../../../src/helper/commands/index";
import { parseCommandArgs } from "../../../src/kit/cli/main";
import { planRbdTargets } from "../../../src/helper/preflight/rbd-targets";
import { FakeCockpit } from "./fake-cockpit";

let fake: FakeCockpit;
beforeEach(() => {
  fake = new FakeCockpit();
  setCockpit(fake.asCockpit());
  setPageConfig({ helper: "/opt/v2k/ablestack_v2k", workdirRoot: "/srv/v2k", cephConf: "/srv/ceph/ceph.conf" });
});

const conn = { url: "https://vc/sdk", username: "admin", password: "pw", thumbprint: "AA:BB" };
const data = (patch: Partial<WizardData>): WizardData => ({
  ...emptyWizardData,
  vmName: "web01",
  dst: "/var/lib/libvirt/images/web01",
  vms: [
    {
      name: "web01",
      powerState: "poweredOn",
      disks: [
        { label: "Hard disk 1", capacityBytes: 2 << 30 },
        { label: "Hard disk 2", capacityBytes: 1 << 30 },
      ],
      networks: [],
    },
  ],
  ...patch,
});

/** The argv the page spawns for preflight and init, parsed by the helper's own command parser. */
function helperSees(d: WizardData): { preflight: Record<string, unknown>; init: Record<string, unknown>; argv: string[] } {
  const parsed = (words: string[]) => {
    const argv = fake.last().argv.slice(2); // helper path, --json
    const command = helperCommands.find((c) => c.path.join(" ") === words.join(" "))!;
    return { argv, options: parseCommandArgs(command, argv.slice(words.length), "") as Record<string, unknown> };
  };
  const stop = (run: { promise: Promise<unknown>; cancel(): void }) => (run.promise.catch(() => undefined), run.cancel());
  stop(api.preflight({ conn, target: targetChoice(d) }));
  const pre = parsed(["preflight"]);
  stop(api.init({ conn, target: targetChoice(d) }));
  const init = parsed(["init"]);
  return { preflight: pre.options, init: init.options, argv: init.argv };
}

test("file: --dst and the chosen format, no storage options", () => {
  const seen = helperSees(data({ format: "raw" }));
  for (const o of [seen.preflight, seen.init]) {
    assert.equal(o.dst, "/var/lib/libvirt/images/web01");
    assert.equal(o["target-storage"], undefined);
    assert.equal(o["rbd-pool"], undefined);
  }
  assert.equal(seen.init["target-format"], "raw");
});

test("block: --target-storage block and one --target-device per disk, for preflight and init alike", () => {
  const d = data({ storage: "block", devices: ["/dev/vg0/a", "/dev/vg0/b"] });
  assert.ok(targetStepDone(d));
  assert.equal(targetStepDone({ ...d, devices: ["/dev/vg0/a"] }), false, "a device for every disk");
  const seen = helperSees(d);
  for (const o of [seen.preflight, seen.init]) {
    assert.equal(o["target-storage"], "block");
    assert.deepEqual(o["target-device"], ["0=/dev/vg0/a", "1=/dev/vg0/b"]);
  }
  assert.equal(seen.init["target-format"], undefined, "block is written raw: no qcow2 stated");
});

test("rbd: --target-storage rbd, the pool and the page's Ceph conf; no directory; the images shown are init's plan", () => {
  const d = data({ storage: "rbd", rbdPool: "glue", format: "qcow2" });
  assert.equal(targetStepDone({ ...d, rbdPool: "" }), false, "a pool is chosen");
  assert.ok(targetStepDone({ ...d, dst: "" }), "no directory needed");
  const seen = helperSees(d);
  for (const o of [seen.preflight, seen.init]) {
    assert.deepEqual([o["target-storage"], o["rbd-pool"], o["ceph-conf"], o.dst], ["rbd", "glue", "/srv/ceph/ceph.conf", undefined]);
  }
  assert.ok(!seen.argv.includes("--target-format"), seen.argv.join(" "));
  const inv = {
    name: "web01",
    controllers: [{ key: 1000, type: "pvscsi", busNumber: 0 }],
    disks: [0, 1].map((u) => ({ key: 2000 + u, controllerKey: 1000, unitNumber: u, label: `Hard disk ${u + 1}`, capacityBytes: 1 })),
  } as unknown as Parameters<typeof planRbdTargets>[1];
  const plan = planRbdTargets({ rbdPool: "glue" }, inv).map((t) => `${t.name.pool}/${t.name.image}`);
  assert.deepEqual(plannedImages(d), plan);
  assert.deepEqual(plan, ["glue/web01-disk0", "glue/web01-disk1"]);
});

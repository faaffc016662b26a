import { z } from "zod";
import { defineCommand } from "../../kit/cli/command";
import { initDecls } from "../../shared/requests/commands";
import { optionSpecs, zodFields } from "../../shared/requests/option";
import { initMigration } from "../init/init";
import { targetStorageOf } from "../preflight/target-request";
import { stepContext } from "./step-context";
import { parseNetworkMap } from "../libvirt/domain-policy";
import { networkMapRecord } from "../cutover/domain-config";

export const initCommand = defineCommand({
  path: ["init"],
  summary: "take the VM's inventory into a new workdir (manifest.json + events.log)",
  options: optionSpecs(initDecls),
  schema: z.object({ ...zodFields(initDecls), positionals: z.array(z.string()).max(0) }),
  render: (data) => {
    // the workdir alone on the last line: operators note it (and scripts take it with tail -n1)
    const r = data as { workdir: string; vm: string; moref: string; disks: number; runId: string; alreadyInitialized: boolean };
    return (
      `${r.alreadyInitialized ? "already initialized" : "initialized"}: ${r.vm} (${r.moref}), ${r.disks} disk(s), run ${r.runId}\n` +
      `workdir (use it as --workdir for the next commands):\n${r.workdir}`
    );
  },
  async run(o, ctx) {
    const r = await initMigration(
      {
        vm: o.vm,
        dst: o.dst,
        targetFormat: o["target-format"],
        targetStorage: targetStorageOf(o),
        targetDevices: o["target-device"],
        rbdPool: o["rbd-pool"],
        cephConf: o["ceph-conf"],
        cephId: o["ceph-id"],
        targetMapJson: o["target-map-json"],
        force: o.force,
        transport: o.transport,
        networkMap: o["network-map"] ? networkMapRecord(parseNetworkMap(o["network-map"])) : undefined,
        vcenter: o,
      },
      stepContext(ctx),
    );
    const m = r.manifest;
    return {
      workdir: r.workdir,
      runId: m.runId,
      vm: m.vm.name,
      moref: m.vm.moref,
      disks: m.disks.length,
      alreadyInitialized: r.alreadyInitialized,
    };
  },
});

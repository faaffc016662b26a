import { z } from "zod";
import { defineCommand } from "../../kit/cli/command";
import { preflightDecls } from "../../shared/requests/commands";
import { optionSpecs, zodFields } from "../../shared/requests/option";
import { runPreflight, type PreflightResult } from "../preflight/checks";
import { targetStorageOf } from "../preflight/target-request";

export const preflightCommand = defineCommand({
  path: ["preflight"],
  summary: "Go/No-Go checks for migrating one VM (changes nothing)",
  options: optionSpecs(preflightDecls),
  schema: z.object({
    ...zodFields(preflightDecls),
    positionals: z.array(z.string()).max(0),
  }),
  render: (data) => {
    const r = data as PreflightResult;
    const mark = { pass: "PASS", warn: "WARN", fail: "FAIL" } as const;
    return [
      ...r.checks.map((c) => `${mark[c.status]}  ${c.title}: ${c.reason}`),
      "",
      r.go ? `GO: ${r.vm} can be migrated` : `NO-GO: ${r.vm} cannot be migrated yet`,
    ].join("\n");
  },
  exitCode: (data) => ((data as { go: boolean }).go ? 0 : 3),
  async run(o, ctx) {
    const result = await runPreflight(
      {
        vm: o.vm,
        dst: o.dst,
        transport: o.transport,
        flags: o,
        targetStorage: targetStorageOf(o),
        targetDevices: o["target-device"],
        rbd: { rbdPool: o["rbd-pool"], cephConf: o["ceph-conf"], cephId: o["ceph-id"], targetMapJson: o["target-map-json"] },
        networkMap: o["network-map"],
        networkMapDefault: o["network-map-default"],
        firmware: o.firmware,
      },
      { readStdin: ctx.readStdin, signal: ctx.signal },
    );
    const fails = result.checks.filter((c) => c.status === "fail").length;
    const warns = result.checks.filter((c) => c.status === "warn").length;
    ctx.emitter.log(
      result.go ? "debug" : "warn",
      "preflight",
      `${result.go ? "GO" : "NO-GO"} for ${o.vm}: ${fails} failed, ${warns} warning(s)`,
    );
    return result;
  },
});

import { z } from "zod";
import { defineCommand } from "../../kit/cli/command";
import { vcenterOptions, vcenterSchemaFields } from "../config/vcenter-access";
import { runPreflight, type PreflightResult } from "../preflight/checks";

export const preflightCommand = defineCommand({
  path: ["preflight"],
  summary: "Go/No-Go checks for migrating one VM (changes nothing)",
  options: {
    vm: { type: "string", valueName: "NAME", description: "the VM's name in vCenter" },
    dst: { type: "string", valueName: "DIR", description: "target directory for the disk images" },
    transport: { type: "string", valueName: "vddk|http", description: "source transport to check for (default http)" },
    "target-mode": { type: "string", valueName: "file|block", description: "check image space under --dst (default) or block devices" },
    "target-device": {
      type: "string",
      multiple: true,
      valueName: "DISK=DEV",
      description: "block mode: the device for disk DISK (index or device key)",
    },
    ...vcenterOptions,
  },
  schema: z.object({
    vm: z.string().min(1),
    dst: z.string().min(1),
    transport: z.enum(["vddk", "http"]).default("http"),
    "target-mode": z.enum(["file", "block"]).default("file"),
    "target-device": z.array(z.string()).default([]),
    positionals: z.array(z.string()).max(0),
    ...vcenterSchemaFields,
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
        targetDevices: o["target-mode"] === "block" ? o["target-device"] : undefined,
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

// Help text states the defaults the code applies: read from the engine's constants and the schemas' defaults.
import { test } from "node:test";
import assert from "node:assert/strict";
import { COPY_DEFAULTS } from "../../../src/helper/engine/copy";
import { RBD_TUNING_DEFAULTS } from "../../../src/shared/requests/commands";
import { syncCommand } from "../../../src/helper/commands/sync";
import { runCommand } from "../../../src/helper/commands/run";
import { cutoverCommand } from "../../../src/helper/commands/cutover";

test("--jobs help of sync and run shows the engine's default requests in flight, and Ceph RBD's", () => {
  for (const c of [syncCommand, runCommand]) {
    const d = (c.options as Record<string, { description?: string }>)["jobs"]?.description ?? "";
    assert.match(d, new RegExp(`\\(default ${COPY_DEFAULTS.requests}, ${RBD_TUNING_DEFAULTS.requests} into Ceph RBD\\)`), c.path.join(" "));
  }
});

test("cutover help shows the defaults its schema applies", () => {
  const parsed = cutoverCommand.schema.parse({ workdir: "/x", positionals: [] }) as Record<string, unknown>;
  const opts = cutoverCommand.options as Record<string, { description?: string }>;
  for (const name of ["shutdown-timeout", "verify-samples"]) {
    assert.match(opts[name]?.description ?? "", new RegExp(`default ${String(parsed[name])}\\b`), name);
  }
});

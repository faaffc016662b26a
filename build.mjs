// Bundles the helper (node) and the Cockpit page (browser) with esbuild. tsc only type-checks.
import * as esbuild from "esbuild";
import { createHash } from "node:crypto";
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";

const pkg = JSON.parse(readFileSync("package.json", "utf8"));
const production = process.env.NODE_ENV === "production";

async function buildHelper() {
  mkdirSync("dist/helper", { recursive: true });
  // The program is a CommonJS bundle run by a small ESM launcher through a V8 code cache
  // (src/app/code-cache.ts): vm.Script takes cached code, an ES module cannot on Node 20.
  await esbuild.build({
    entryPoints: ["src/app/entry.ts"],
    outfile: "dist/helper/ablestack_v2k.cjs",
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    sourcemap: "linked",
    // import.meta.url is the launcher's argument; import() becomes require() (vm.Script has no ESM loader).
    define: { __V2K_VERSION__: JSON.stringify(pkg.version), "import.meta.url": "__v2kModuleUrl" },
    supported: { "dynamic-import": false },
    logLevel: "warning",
  });
  // The code cache's name carries the bundle's hash, taken here once rather than at every start.
  const bundleHash = createHash("sha1").update(readFileSync("dist/helper/ablestack_v2k.cjs")).digest("hex");
  await esbuild.build({
    entryPoints: ["src/app/launcher.ts"],
    outfile: "dist/helper/ablestack_v2k.mjs",
    bundle: true,
    platform: "node",
    target: "node20",
    format: "esm",
    define: { __V2K_BUNDLE_SHA1__: JSON.stringify(bundleHash) },
    logLevel: "warning",
  });
  // The lab's datastore worker processes run their own small entry (forked beside the helper).
  await esbuild.build({
    entryPoints: ["src/lab/folder-workers/worker-main.ts"],
    outfile: "dist/helper/lab/datastore-worker.mjs",
    bundle: true,
    platform: "node",
    target: "node20",
    format: "esm",
    sourcemap: "linked",
    logLevel: "warning",
  });
  // Python scripts of the vSphere bridge run beside the bundle (dist/helper/py).
  if (existsSync("src/helper/vsphere/py")) cpSync("src/helper/vsphere/py", "dist/helper/py", { recursive: true });
  // The lab's image recipes run as scripts (dist/helper/lab).
  mkdirSync("dist/helper/lab", { recursive: true });
  cpSync("src/lab/guest-image/build-linux01.sh", "dist/helper/lab/build-linux01.sh");
  // A 1 MiB young generation: the copy's per-request objects die young, and V8's default (up to 16 MiB
  // semi-spaces) added ~25 MiB of RSS to every copy process; detached jobs inherit the flag (execArgv).
  const wrapper =
    `#!/bin/sh\n# ablestack_v2k host helper\nhere=$(dirname "$(readlink -f "$0")")\n` +
    `exec node --max-semi-space-size=1 "$here/helper/ablestack_v2k.mjs" "$@"\n`;
  writeFileSync("dist/ablestack_v2k", wrapper);
  chmodSync("dist/ablestack_v2k", 0o755);
}

async function buildPage() {
  if (!existsSync("src/page/index.tsx")) return;
  const { buildPage: build } = await import("./src/page/build-page.mjs");
  await build({ esbuild, production, version: pkg.version });
}

await buildHelper();
await buildPage();

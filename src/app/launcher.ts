// The helper's entry (dist/helper/ablestack_v2k.mjs): runs the bundle (ablestack_v2k.cjs, built from
// entry.ts) through the V8 code cache. Detached jobs re-run this file (process.argv[1]).
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runBundle } from "./code-cache";

/** The hash of the bundle's bytes, taken by build.mjs when it built both files. */
declare const __V2K_BUNDLE_SHA1__: string | undefined;

runBundle(join(dirname(fileURLToPath(import.meta.url)), "ablestack_v2k.cjs"), {
  ...(typeof __V2K_BUNDLE_SHA1__ === "string" ? { builtHash: __V2K_BUNDLE_SHA1__ } : {}),
});

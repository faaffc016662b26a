// The tree's dependency rules, checked on the sources: the helper and the lab share the kit and the shared
// schemas but never import each other; the kit imports neither; the page runs no shell on the host.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../..");

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|tsx|mjs)$/.test(name) && !name.endsWith(".d.ts") ? [path] : [];
  });
}

/** Every relative import of a file, resolved to a path under the repository. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*["'](\.[^"']+)["']/g)].map((m) => m[1]!);
  return specs.map((s) => relative(ROOT, resolve(dirname(file), s)));
}

function violations(fromDir: string, forbidden: string[]): string[] {
  return sources(join(ROOT, fromDir)).flatMap((file) =>
    importsOf(file)
      .filter((target) => forbidden.some((f) => target === f || target.startsWith(f + "/")))
      .map((target) => `${relative(ROOT, file)} -> ${target}`),
  );
}

test("src/helper and src/lab never import each other", () => {
  assert.deepEqual(violations("src/helper", ["src/lab"]), []);
  assert.deepEqual(violations("src/lab", ["src/helper"]), []);
});

test("the kit and the shared schemas import neither the helper, the lab, the page nor the composition root", () => {
  for (const dir of ["src/kit", "src/shared"]) {
    assert.deepEqual(violations(dir, ["src/helper", "src/lab", "src/page", "src/app"]), []);
  }
});

test("the page imports no host-side tree and embeds no shell", () => {
  assert.deepEqual(violations("src/page", ["src/helper", "src/lab", "src/kit", "src/app"]), []);
  const shell = sources(join(ROOT, "src/page")).filter((f) => /["'](\/bin\/)?(ba)?sh["']\s*,\s*["']-c["']/.test(readFileSync(f, "utf8")));
  assert.deepEqual(
    shell.map((f) => relative(ROOT, f)),
    [],
  );
});

test("the copy engine sees endpoints through their interfaces, never the NBD wire layer", () => {
  // endpoints/index re-exports the NBD-backed endpoints: the engine takes endpoints/types only
  const wire = ["src/helper/nbd", "src/helper/endpoints/nbd-endpoints", "src/helper/endpoints/index"];
  assert.deepEqual(violations("src/helper/engine", wire), []);
  // the rule is able to fail: the endpoints do import the wire layer
  assert.notDeepEqual(violations("src/helper/endpoints", ["src/helper/nbd"]), []);
});

// The tree's dependency rules, checked on the sources with TypeScript's own parser: the helper and the lab
// share the kit and the shared schemas but never import each other; the kit imports neither; below the
// commands the helper never reaches up into the CLI layer; the helper's step folders form no cycle; the
// page imports no host tree and runs no shell on the host. Each rule prints what it found.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";

const ROOT = resolve(import.meta.dirname, "../..");

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|tsx|mts|mjs)$/.test(name) && !/\.d\.m?ts$/.test(name) ? [path] : [];
  });
}

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
}

/** Every module specifier of a file: import and export-from declarations (type-only too), import(), require(). */
function specifiersOf(source: ts.SourceFile): string[] {
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      if (ts.isStringLiteral(node.moduleSpecifier)) found.push(node.moduleSpecifier.text);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      const expr = node.moduleReference.expression;
      if (ts.isStringLiteral(expr)) found.push(expr.text);
    } else if (ts.isCallExpression(node) && node.arguments.length === 1 && ts.isStringLiteral(node.arguments[0]!)) {
      const isDynamicImport = node.expression.kind === ts.SyntaxKind.ImportKeyword;
      const isRequire = ts.isIdentifier(node.expression) && node.expression.text === "require";
      if (isDynamicImport || isRequire) found.push((node.arguments[0] as ts.StringLiteral).text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** A relative specifier resolved to the repository file it names (bundler resolution: no extension needed). */
function resolveSpecifier(file: string, spec: string): string {
  const base = resolve(dirname(file), spec);
  const candidates = [base, `${base}.ts`, `${base}.tsx`, `${base}.mts`, `${base}.mjs`, join(base, "index.ts"), join(base, "index.tsx")];
  const hit = candidates.find((c) => existsSync(c) && statSync(c).isFile());
  return relative(ROOT, hit ?? base);
}

interface Edge {
  from: string;
  to: string;
}

/** Every relative import edge under src/, file to file, paths relative to the repository. */
const EDGES: Edge[] = sources(join(ROOT, "src")).flatMap((file) =>
  specifiersOf(parse(file))
    .filter((s) => s.startsWith("."))
    .map((s) => ({ from: relative(ROOT, file), to: resolveSpecifier(file, s) })),
);

const under = (path: string, dir: string) => path === dir || path.startsWith(dir + "/");
const show = (edges: Edge[]) => edges.map((e) => `${e.from} -> ${e.to}`);

function report(rule: string, found: string[]): void {
  if (found.length > 0) console.log(`${rule}:\n  ${found.join("\n  ")}`);
}

function violations(fromDirs: string[], forbidden: string[], exempt: string[] = []): string[] {
  return show(
    EDGES.filter(
      (e) => fromDirs.some((d) => under(e.from, d)) && !exempt.some((d) => under(e.from, d)) && forbidden.some((f) => under(e.to, f)),
    ),
  );
}

test("the parser sees the tree's imports (a guard against a rule passing on nothing)", () => {
  assert.ok(EDGES.length > 500, `only ${EDGES.length} import edges found under src/`);
  assert.ok(EDGES.some((e) => e.from === "src/app/entry.ts" && e.to === "src/kit/cli/main.ts"));
  assert.ok(EDGES.some((e) => under(e.from, "src/helper/commands") && under(e.to, "src/kit/cli")));
});

test("src/helper and src/lab never import each other", () => {
  const found = [...violations(["src/helper"], ["src/lab"]), ...violations(["src/lab"], ["src/helper"])];
  report("helper <-> lab imports", found);
  assert.deepEqual(found, []);
});

test("the kit and the shared schemas import neither the helper, the lab, the page nor the composition root", () => {
  const found = violations(["src/kit", "src/shared"], ["src/helper", "src/lab", "src/page", "src/app"]);
  report("kit/shared importing a tree above them", found);
  assert.deepEqual(found, []);
});

/** The CLI layer: the command framework (definition type, argv, help, main), the commands, the composition root. */
const CLI_LAYER = ["src/kit/cli", "src/helper/commands", "src/app"];

test("below its commands the helper never imports the CLI layer (command types, commands, composition root)", () => {
  const found = violations(["src/helper"], CLI_LAYER, ["src/helper/commands", "src/helper/cli"]);
  report("helper modules importing the CLI layer", found);
  assert.deepEqual(found, []);
});

/** The folder directly under src/helper a path lies in ("" for files at its top, such as version.ts). */
function helperFolder(path: string): string {
  const rest = relative("src/helper", path).split("/");
  return rest.length > 1 ? rest[0]! : "";
}

/** The folder graph of src/helper (commands excluded: the top layer imports every step by design). */
function helperFolderGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const e of EDGES) {
    if (!under(e.from, "src/helper") || !under(e.to, "src/helper")) continue;
    const from = helperFolder(e.from);
    const to = helperFolder(e.to);
    if (!from || !to || from === to || from === "commands" || to === "commands") continue;
    if (!graph.has(from)) graph.set(from, new Set());
    graph.get(from)!.add(to);
  }
  return graph;
}

/** Every elementary cycle of a small graph, each reported once, starting at its smallest folder name. */
function cycles(graph: Map<string, Set<string>>): string[][] {
  const found: string[][] = [];
  const nodes = [...graph.keys()].sort();
  for (const start of nodes) {
    const walk = (node: string, path: string[]): void => {
      for (const next of graph.get(node) ?? []) {
        if (next === start) found.push([...path, start]);
        else if (next > start && !path.includes(next)) walk(next, [...path, next]);
      }
    };
    walk(start, [start]);
  }
  return found;
}

test("the helper's folders import each other without cycles (cutover, verify, cleanup, rollback, sync, run, ...)", () => {
  const graph = helperFolderGraph();
  const found = cycles(graph).map((cycle) => {
    const hops = cycle.slice(1).map((to, i) => {
      const from = cycle[i]!;
      const files = EDGES.filter((e) => helperFolder(e.from) === from && helperFolder(e.to) === to && under(e.from, "src/helper"));
      return `${from} -> ${to} (${[...new Set(files.map((e) => relative("src/helper", e.from)))].join(", ")})`;
    });
    return `${cycle.join(" -> ")}: ${hops.join("; ")}`;
  });
  report("cycles between helper folders", found);
  assert.ok(graph.get("sync")?.has("engine"), "the folder graph is built (sync uses the engine)");
  assert.deepEqual(found, []);
});

test("the cycle finder reports a two- and a three-folder cycle and nothing in a chain", () => {
  const g = (pairs: [string, string][]) => {
    const graph = new Map<string, Set<string>>();
    for (const [a, b] of pairs) graph.set(a, (graph.get(a) ?? new Set()).add(b));
    return graph;
  };
  assert.deepEqual(
    cycles(
      g([
        ["a", "b"],
        ["b", "c"],
      ]),
    ),
    [],
  );
  assert.deepEqual(
    cycles(
      g([
        ["cutover", "verify"],
        ["verify", "cutover"],
        ["run", "sync"],
        ["sync", "state"],
        ["state", "run"],
      ]),
    ),
    [
      ["cutover", "verify", "cutover"],
      ["run", "sync", "state", "run"],
    ],
  );
});

test("the page imports no host-side tree", () => {
  const found = violations(["src/page"], ["src/helper", "src/lab", "src/kit", "src/app"]);
  report("page imports of host trees", found);
  assert.deepEqual(found, []);
});

/** Program names and argv words that mean a shell, or a text pipeline the helper should do instead. */
const SHELL_WORDS = new Set(["sh", "/bin/sh", "bash", "/bin/bash", "-c", "sed", "awk", "xargs", "/usr/bin/env"]);
const SHELL_TEXT = /(^|\s)(sh|bash)\s+-c\b|\|\s*(sed|awk|grep|tail|head|cut|tr|xargs)\b|\$\(|\b2>\s*\/dev\/null|&&\s*(echo|exec|cat)\b/;

/** Shell found in one page file: shell words in a spawn argv, and shell text in any string or template. */
function pageShell(file: string): string[] {
  const source = parse(file);
  const found: string[] = [];
  const where = (node: ts.Node) => `${relative(ROOT, file)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
  const visit = (node: ts.Node): void => {
    const isSpawn =
      ts.isCallExpression(node) &&
      (ts.isPropertyAccessExpression(node.expression) ? node.expression.name.text : node.expression.getText()) === "spawn";
    if (isSpawn) {
      const argv = node.arguments[0];
      if (argv && ts.isArrayLiteralExpression(argv)) {
        for (const word of argv.elements) {
          if (ts.isStringLiteralLike(word) && SHELL_WORDS.has(word.text)) found.push(`${where(word)} spawn argv word "${word.text}"`);
        }
      }
    }
    if (ts.isStringLiteralLike(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) {
      if (SHELL_TEXT.test(node.text)) found.push(`${where(node)} shell text ${JSON.stringify(node.text.slice(0, 80))}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

test("the page embeds no shell: no sh/bash -c, no sed/awk pipelines, in spawn argv or in any string", () => {
  const files = sources(join(ROOT, "src/page"));
  assert.ok(
    files.some((f) => f.endsWith("host/helper.ts")),
    "the page's helper runner is scanned",
  );
  const found = files.flatMap(pageShell);
  report("shell in the page", found);
  assert.deepEqual(found, []);
});

test("the shell detector finds the shapes it is meant to find", () => {
  const probe = (text: string) => {
    const s = ts.createSourceFile("probe.ts", text, ts.ScriptTarget.Latest, true);
    const words: string[] = [];
    const visit = (node: ts.Node): void => {
      if (ts.isStringLiteralLike(node) && (SHELL_WORDS.has(node.text) || SHELL_TEXT.test(node.text))) words.push(node.text);
      ts.forEachChild(node, visit);
    };
    visit(s);
    return words;
  };
  assert.deepEqual(probe(`cockpit.spawn(["sh", "-c", "x"])`), ["sh", "-c"]);
  assert.deepEqual(probe('const s = "cat op.json | sed -n 1p";'), ["cat op.json | sed -n 1p"]);
  assert.deepEqual(probe("const s = `pid=$(cat f)`;"), ["pid=$(cat f)"]);
  assert.deepEqual(probe(`cockpit.spawn(["ablestack_v2k", "--json", "status"])`), []);
});

test("the copy engine sees endpoints through their interfaces, never the NBD wire layer", () => {
  // endpoints/index re-exports the NBD-backed endpoints: the engine takes endpoints/types only
  const wire = ["src/helper/nbd", "src/helper/endpoints/nbd-endpoints", "src/helper/endpoints/index"];
  assert.deepEqual(violations(["src/helper/engine"], wire), []);
  // the rule is able to fail: the endpoints do import the wire layer
  assert.notDeepEqual(violations(["src/helper/endpoints"], ["src/helper/nbd"]), []);
});

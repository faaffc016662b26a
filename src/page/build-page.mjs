// Bundles the Cockpit page (called by build.mjs): src/page/index.tsx -> dist/page/index.js + index.css
// (PatternFly CSS and fonts included), plus index.html, Cockpit's manifest.json, po.<lang>.js from po/*.po
// and a default config.json.
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";

const out = "dist/page";

/** Minimal .po reader: msgid/msgstr (multi-line, escapes), skips fuzzy and untranslated entries. */
export function parsePo(text) {
  const entries = [];
  let cur = null;
  let field = null;
  let fuzzy = false;
  const unquote = (s) => JSON.parse(s.replace(/\t/g, "\\t"));
  const flush = () => {
    if (cur && !fuzzy) entries.push(cur);
    cur = null;
    field = null;
    fuzzy = false;
  };
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "") {
      flush();
      continue;
    }
    if (line.startsWith("#,") && line.includes("fuzzy")) {
      fuzzy = true;
      continue;
    }
    if (line.startsWith("#")) continue;
    let m;
    if ((m = line.match(/^msgctxt\s+(".*")$/))) {
      if (cur && cur.msgstr !== undefined) flush();
      cur = { ...(cur ?? {}), msgctxt: unquote(m[1]) };
      field = "msgctxt";
    } else if ((m = line.match(/^msgid\s+(".*")$/))) {
      if (cur && cur.msgstr !== undefined) flush();
      cur = { ...(cur ?? {}), msgid: unquote(m[1]) };
      field = "msgid";
    } else if ((m = line.match(/^msgstr\s+(".*")$/))) {
      cur.msgstr = unquote(m[1]);
      field = "msgstr";
    } else if ((m = line.match(/^(".*")$/)) && cur && field) {
      cur[field] += unquote(m[1]);
    }
  }
  flush();
  return entries;
}

/** The po.<lang>.js Cockpit loads: one cockpit.locale({...}) call. */
export function poToCockpitJs(text, lang) {
  const entries = parsePo(text);
  const header = entries.find((e) => e.msgid === "")?.msgstr ?? "";
  const plural = header.match(/Plural-Forms:\s*nplurals=\d+;\s*plural=([^;\n]+);?/)?.[1] ?? "n != 1";
  if (!/^[n0-9\s()!=<>&|?:%+-]+$/.test(plural)) throw new Error(`unexpected Plural-Forms in ${lang}.po: ${plural}`);
  const dict = {};
  for (const e of entries) {
    if (e.msgid === "" || !e.msgstr) continue;
    dict[e.msgctxt ? `${e.msgctxt}\u0004${e.msgid}` : e.msgid] = [null, e.msgstr];
  }
  const body = JSON.stringify(dict).slice(1, -1);
  return `cockpit.locale({"": {"plural-forms": function(n) { return ${plural}; }, "language": ${JSON.stringify(lang)}, "language-direction": "ltr"}${body ? "," + body : ""}});\n`;
}

export async function buildPage({ esbuild, production, version }) {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  await esbuild.build({
    entryPoints: { index: "src/page/index.tsx" },
    outdir: out,
    bundle: true,
    format: "iife",
    platform: "browser",
    target: ["chrome110", "firefox115", "safari16"],
    jsx: "automatic",
    minify: true,
    sourcemap: production ? false : "linked",
    legalComments: "linked",
    loader: { ".woff2": "file", ".woff": "file", ".svg": "file", ".png": "file", ".jpg": "file" },
    assetNames: "assets/[name]-[hash]",
    define: { "process.env.NODE_ENV": JSON.stringify("production"), __V2K_VERSION__: JSON.stringify(version) },
    logLevel: "warning",
  });
  copyFileSync("src/page/index.html", join(out, "index.html"));
  const manifest = JSON.parse(readFileSync("manifest.json", "utf8"));
  writeFileSync(join(out, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
  if (existsSync("po")) {
    for (const f of readdirSync("po").filter((n) => n.endsWith(".po"))) {
      const lang = f.slice(0, -3);
      writeFileSync(join(out, `po.${lang}.js`), poToCockpitJs(readFileSync(join("po", f), "utf8"), lang));
    }
  }
  writeFileSync(
    join(out, "config.json"),
    JSON.stringify({ helper: "/usr/local/bin/ablestack_v2k", workdirRoot: "/var/lib/ablestack-v2k" }, null, 2) + "\n",
  );
}

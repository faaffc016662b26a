// Collects the page's translatable strings: every _("...") literal in src/page and the Cockpit
// manifest's menu label. `node po/extract.mjs` writes po/ablestack-v2k.pot; tests use extractMessages().
import { readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return /\.(ts|tsx)$/.test(name) ? [path] : [];
  });
}

export function extractMessages(root = ".") {
  const found = new Map();
  const re = /\b_\(\s*"((?:[^"\\]|\\.)*)"\s*,?\s*\)/g; // Prettier ends a long call with a comma
  for (const file of files(join(root, "src/page"))) {
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(re)) {
      const msgid = JSON.parse(`"${m[1]}"`);
      if (!found.has(msgid)) found.set(msgid, file.slice(root.length + 1));
    }
  }
  const manifest = JSON.parse(readFileSync(join(root, "manifest.json"), "utf8"));
  for (const item of Object.values(manifest.menu ?? {})) if (item.label) found.set(item.label, "manifest.json");
  return found;
}

const quote = (s) => JSON.stringify(s);

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop())) {
  const messages = extractMessages(".");
  const out = ['msgid ""', 'msgstr ""', '"Content-Type: text/plain; charset=UTF-8\\n"', ""];
  for (const [msgid, where] of messages) out.push(`#: ${where}`, `msgid ${quote(msgid)}`, 'msgstr ""', "");
  writeFileSync("po/ablestack-v2k.pot", out.join("\n"));
  console.log(`${messages.size} messages`);
}

// Translations: every string the page shows has a Korean translation, and po/ko.po becomes the
// po.ko.js Cockpit loads (cockpit.locale), which gettext then uses.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { runInNewContext } from "node:vm";
import { extractMessages } from "../../../po/extract.mjs";
import { parsePo, poToCockpitJs } from "../../../src/page/build-page.mjs";
import { errorSummary } from "../../../src/page/labels";
import { errorCodes, type ErrorCode } from "../../../src/shared/errors";

test("every page string and the menu label have a Korean translation", () => {
  const messages = extractMessages(".");
  assert.ok(messages.size > 100, `only ${messages.size} messages found`);
  const ko = new Map(parsePo(readFileSync("po/ko.po", "utf8")).map((e) => [e.msgid, e.msgstr]));
  const missing = [...messages.keys()].filter((m) => !ko.get(m));
  assert.deepEqual(missing, []);
  // placeholders survive translation
  for (const [id, str] of ko) {
    const ph = (s: string) =>
      [...s.matchAll(/\$[0-9]/g)]
        .map((m) => m[0])
        .sort()
        .join();
    if (id) assert.equal(ph(str ?? ""), ph(id), `placeholders differ in "${id}"`);
  }
});

test("po parsing handles multi-line strings and escapes and skips fuzzy entries", () => {
  const po = [
    'msgid ""',
    'msgstr ""',
    '"Plural-Forms: nplurals=1; plural=0;\\n"',
    "",
    'msgid "Hello"',
    'msgstr "안녕"',
    "",
    "#, fuzzy",
    'msgid "Unsure"',
    'msgstr "불확실"',
    "",
    'msgid ""',
    '"Two "',
    '"lines \\"quoted\\""',
    'msgstr ""',
    '"두 줄"',
    "",
  ].join("\n");
  const entries = parsePo(po);
  assert.deepEqual(
    entries.filter((e) => e.msgid).map((e) => [e.msgid, e.msgstr]),
    [
      ["Hello", "안녕"],
      ['Two lines "quoted"', "두 줄"],
    ],
  );
});

test("po.ko.js feeds cockpit.locale with the Korean strings", () => {
  let dict: Record<string, unknown> | undefined;
  runInNewContext(poToCockpitJs(readFileSync("po/ko.po", "utf8"), "ko"), {
    cockpit: {
      locale: (d: Record<string, unknown>) => {
        dict = d;
      },
    },
  });
  assert.ok(dict);
  const plain = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown; // values come from another realm
  assert.deepEqual(plain(dict["New migration"]), [null, "새 마이그레이션"]);
  assert.deepEqual(plain(dict["VMware migration (V2K)"]), [null, "VMware 마이그레이션 (V2K)"]);
  const header = dict[""] as { language: string; "plural-forms": (n: number) => number };
  assert.equal(header.language, "ko");
  assert.equal(header["plural-forms"](5), 0);
});

test("every error code the helper raises has its own page summary, in Korean too", () => {
  const ko = new Map(parsePo(readFileSync("po/ko.po", "utf8")).map((e) => [e.msgid, e.msgstr]));
  const fallback = errorSummary("NOT_A_CODE" as ErrorCode);
  for (const code of errorCodes) {
    const summary = errorSummary(code);
    assert.notEqual(summary, fallback, `${code} has no summary of its own`);
    assert.ok(ko.get(summary), `${code}: "${summary}" has no Korean translation`);
  }
  assert.equal(errorSummary("TRANSFER_STALLED"), "The disk transfer stalled");
  assert.equal(ko.get(errorSummary("TRANSFER_STALLED")), "디스크 전송이 멈췄습니다");
});

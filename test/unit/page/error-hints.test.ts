// Every error code has a next step of its own in the page's language: a Korean page shows the Korean hint (the
// helper's English hint stays under "show more"); an English page keeps the helper's own, more specific hint.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parsePo } from "../../../src/page/build-page.mjs";
import { setCockpit } from "../../../src/page/host/cockpit";
import { hintOf, translatedHint } from "../../../src/page/error-hints";
import { errorCodes } from "../../../src/shared/errors";
import { FakeCockpit } from "./fake-cockpit";

const ko = new Map(parsePo(readFileSync("po/ko.po", "utf8")).map((e) => [e.msgid, e.msgstr]));

function inLanguage(language: string, translations: Record<string, string> = {}): void {
  const fake = new FakeCockpit();
  fake.translations = translations;
  const c = fake.asCockpit();
  (c as { language: string }).language = language;
  setCockpit(c);
}

test("every code has its own hint, translated to Korean", () => {
  inLanguage("en");
  const seen = new Map<string, string>();
  for (const code of errorCodes) {
    const hint = hintOf(code);
    assert.ok(hint.length > 10, code);
    assert.ok(ko.get(hint), `${code}: "${hint}" has no Korean translation`);
    const other = seen.get(hint);
    assert.equal(other, undefined, `${code} shares its hint with ${other}`);
    seen.set(hint, code);
  }
});

test("a Korean page shows the Korean hint; an English page keeps the helper's", () => {
  inLanguage("en");
  assert.equal(translatedHint("TARGET_FULL"), null, "the helper's hint names the path: keep it");
  inLanguage("ko", Object.fromEntries([...ko].filter((e): e is [string, string] => !!e[1])));
  assert.equal(translatedHint("TARGET_FULL"), "대상의 공간을 확보한 후 단계를 다시 실행하십시오.");
  assert.equal(translatedHint("NOT_A_CODE" as never), null, "a newer helper's code keeps the helper's hint");
});

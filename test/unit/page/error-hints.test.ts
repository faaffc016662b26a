// Every error code has a next step in both languages, from one Korean source: a Korean page shows the code's
// action from the table the helper uses (src/shared/i18n/error-docs-ko.ts), with the helper's own English hint
// under "show more"; an English page keeps the helper's own, more specific hint. Errors the page makes itself
// get the same treatment.
import { test } from "node:test";
import assert from "node:assert/strict";
import { setCockpit } from "../../../src/page/host/cockpit";
import { helperHintBeside, shownHint } from "../../../src/page/error-hints";
import { fromSpawnFailure } from "../../../src/page/host/helper-error";
import { errorCodes, type ErrorInfo } from "../../../src/shared/errors";
import { errorDocsKo } from "../../../src/shared/i18n/error-docs-ko";
import { errorDocs } from "../../../src/app/docs/error-docs";
import { localizeError } from "../../../src/shared/i18n/localize-error";
import { FakeCockpit } from "./fake-cockpit";

const HANGUL = /[\uac00-\ud7a3]/;

function inLanguage(language: string): void {
  const c = new FakeCockpit().asCockpit();
  (c as { language: string }).language = language;
  setCockpit(c);
}

const helperSaid = (code: ErrorInfo["code"]): ErrorInfo => ({
  code,
  message: "/var/lib/v2k/web01: no space left",
  hint: "Free space in /var/lib/v2k, then re-run 'ablestack_v2k sync incr'.",
});

test("every code has a Korean hint from the shared table and an English one, each its own", () => {
  const seen = new Map<string, string>();
  for (const code of errorCodes) {
    inLanguage("ko");
    const ko = shownHint(helperSaid(code));
    assert.equal(ko, errorDocsKo[code].action, code);
    assert.match(ko, HANGUL, code);
    assert.equal(seen.get(ko), undefined, `${code} shares its Korean hint with ${seen.get(ko)}`);
    seen.set(ko, code);
    assert.ok(errorDocs[code].action.length > 10, `${code} has an English action in the catalog`);
    inLanguage("en");
    assert.equal(shownHint(helperSaid(code)), helperSaid(code).hint, `${code}: an English page keeps the helper's hint`);
  }
});

test("a Korean page shows the Korean action first and the helper's English hint beside it, never twice", () => {
  const english = helperSaid("TARGET_FULL");
  inLanguage("ko");
  assert.equal(shownHint(english), errorDocsKo.TARGET_FULL.action);
  assert.equal(helperHintBeside(english), english.hint);
  // the page runs the helper in its language: the helper already led with the same Korean action
  const fromKoreanHelper = localizeError(english, "ko");
  assert.equal(shownHint(fromKoreanHelper), errorDocsKo.TARGET_FULL.action);
  assert.equal(helperHintBeside(fromKoreanHelper), english.hint, "the Korean action is not repeated under show more");
  const newer = { ...english, code: "NOT_A_CODE" as never };
  assert.equal(shownHint(newer), english.hint, "a newer helper's code keeps the helper's hint");
  assert.equal(helperHintBeside(newer), null);

  inLanguage("en");
  assert.equal(shownHint(english), english.hint);
  assert.equal(helperHintBeside(english), null, "nothing twice on an English page");
  assert.equal(shownHint(fromKoreanHelper), english.hint, "an error a Korean run recorded reads in English here");
});

test("errors the page makes itself get a hint in both languages", () => {
  const failures = [
    fromSpawnFailure("ablestack_v2k", { problem: "access-denied", message: "denied" } as never, ""),
    fromSpawnFailure("ablestack_v2k", { problem: "not-found", message: "not found" } as never, ""),
    fromSpawnFailure("ablestack_v2k", { exit_status: 1 } as never, "Traceback"),
  ].map((e) => e.info);
  for (const info of failures) {
    inLanguage("ko");
    assert.match(shownHint(info), HANGUL, info.code);
    assert.equal(helperHintBeside(info), info.hint);
    inLanguage("en");
    assert.ok(shownHint(info).length > 10 && !HANGUL.test(shownHint(info)), info.code);
  }
});

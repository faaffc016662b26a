// The helper's language: chosen from the environment as POSIX orders it (the page's ABLESTACK_V2K_LANG
// first), and every error code's Korean text, put before the helper's own English specifics.
import { test } from "node:test";
import assert from "node:assert/strict";
import { langFromEnv } from "../../../src/shared/i18n/lang";
import { localizeError } from "../../../src/shared/i18n/localize-error";
import { errorDocsKo } from "../../../src/shared/i18n/error-docs-ko";
import { errorDocs } from "../../../src/app/docs/error-docs";
import { ErrorCode } from "../../../src/shared/errors";

const HANGUL = /[\uac00-\ud7a3]/;

test("the language follows ABLESTACK_V2K_LANG, then LC_ALL, LC_MESSAGES and LANG", () => {
  assert.equal(langFromEnv({}), "en");
  assert.equal(langFromEnv({ LANG: "ko_KR.UTF-8" }), "ko");
  assert.equal(langFromEnv({ LANG: "ko" }), "ko");
  assert.equal(langFromEnv({ LANG: "ko_KR.UTF-8", LC_ALL: "C.UTF-8" }), "en", "LC_ALL overrides LANG");
  assert.equal(langFromEnv({ LANG: "en_US.UTF-8", LC_MESSAGES: "ko_KR.UTF-8" }), "ko", "messages follow LC_MESSAGES");
  assert.equal(langFromEnv({ LANG: "ko_KR.UTF-8", LC_ALL: "" }), "ko", "an empty variable is unset");
  assert.equal(langFromEnv({ LC_ALL: "C", ABLESTACK_V2K_LANG: "ko" }), "ko", "the page's language wins");
  assert.equal(langFromEnv({ LANG: "ko_KR.UTF-8", ABLESTACK_V2K_LANG: "en" }), "en");
  assert.equal(langFromEnv({ LANG: "kok_IN.UTF-8" }), "en", "Konkani is not Korean");
});

test("every error code has a Korean meaning and action, not the English text", () => {
  for (const code of ErrorCode.options) {
    const ko = errorDocsKo[code];
    assert.match(ko.meaning, HANGUL, `${code} meaning`);
    assert.match(ko.action, HANGUL, `${code} action`);
    assert.notEqual(ko.meaning, errorDocs[code].meaning, code);
  }
});

test("a Korean error leads with the code's meaning and action and keeps the English specifics; English is untouched", () => {
  const info = {
    code: "LOGIN_FAILED" as const,
    message: "vCenter rejected administrator@vsphere.local",
    hint: "Check the password file.",
    detail: "d",
  };
  assert.deepEqual(localizeError(info, "en"), info);
  const ko = localizeError(info, "ko");
  assert.equal(ko.code, "LOGIN_FAILED");
  assert.equal(ko.message, `${errorDocsKo.LOGIN_FAILED.meaning}: vCenter rejected administrator@vsphere.local`);
  assert.equal(ko.hint, `${errorDocsKo.LOGIN_FAILED.action}\nCheck the password file.`);
  assert.equal(ko.detail, "d");
  assert.deepEqual(localizeError(ko, "ko"), ko, "an error passed on by another step is not translated twice");
});

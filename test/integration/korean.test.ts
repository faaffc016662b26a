// The helper under a Korean locale, as a Korean host's terminal (LANG) or the page (ABLESTACK_V2K_LANG)
// runs it against the lab: preflight's titles and reasons in Korean with the same decisions as in
// English; an error's meaning and action in Korean ahead of the English specifics; English under C.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type TestLab, startTestLab } from "../support/lab";
import { cli, labEnv } from "../unit/cutover/cli-helpers";
import { errorDocsKo } from "../../src/shared/i18n/error-docs-ko";

const HANGUL = /[\uac00-\ud7a3]/;
/** A host's locale variables cleared, so only what a test sets decides. */
const NO_LOCALE = { LC_ALL: "", LC_MESSAGES: "", LANG: "", ABLESTACK_V2K_LANG: "" };
let lab: TestLab;
let dir: string;
let env: Record<string, string>;

before(async () => {
  lab = await startTestLab();
  env = { ...labEnv(lab), ...NO_LOCALE };
  dir = mkdtempSync(join(tmpdir(), "v2k-korean-"));
});
after(async () => {
  await lab?.stop();
  rmSync(dir, { recursive: true, force: true });
});

type Check = { id: string; title: string; status: string; reason: string };

test("preflight in Korean under LANG=ko_KR.UTF-8: every title and the vCenter reasons in Korean, the same decisions as in English", async () => {
  // --firmware efi for the BIOS VM web01: the changed firmware's warning, in both languages
  const args = ["preflight", "--vm", "web01", "--dst", dir, "--firmware", "efi"];
  const [en, ko] = await Promise.all([
    cli(args, { env: { ...env, LANG: "C.UTF-8" } }),
    cli(args, { env: { ...env, LANG: "ko_KR.UTF-8" } }),
  ]);
  assert.ok(en.data && ko.data, JSON.stringify([en.error, ko.error]));
  const enChecks = en.data.checks as Check[];
  const koChecks = ko.data.checks as Check[];
  assert.deepEqual(
    koChecks.map((c) => [c.id, c.status]),
    enChecks.map((c) => [c.id, c.status]),
    "the language changes the words, not the checks",
  );
  assert.equal(ko.data.go, en.data.go);
  for (const c of enChecks) assert.doesNotMatch(`${c.title} ${c.reason}`, HANGUL, `English: ${c.id}`);
  for (const c of koChecks.filter((c) => c.id !== "guest-tools")) assert.match(c.title, HANGUL, `Korean title of ${c.id}: ${c.title}`);
  const byId = Object.fromEntries(koChecks.map((c) => [c.id, c]));
  for (const id of ["tls", "login", "power-state", "snapshots", "host-tools", "dst-space", "firmware-choice"])
    assert.match(byId[id]!.reason, HANGUL, id);
  assert.equal(byId["firmware-choice"]!.status, "warn");
  const enFirmware = enChecks.find((c) => c.id === "firmware-choice")!;
  assert.match(enFirmware.reason, /^--firmware efi: the VMware VM boots with BIOS.*EFI system partition/);
});

test("an error under the page's ABLESTACK_V2K_LANG=ko: its code, the Korean meaning and action, the English specifics", async () => {
  const r = await cli(["preflight", "--vm", "web01", "--dst", dir], {
    env: { ...env, LANG: "C.UTF-8", ABLESTACK_V2K_LANG: "ko", GOVC_PASSWORD: "not-the-password" },
  });
  const login = (r.data?.checks as Check[] | undefined)?.find((c) => c.id === "login");
  assert.equal(login?.status, "fail", JSON.stringify(r.data ?? r.error));
  assert.ok(login!.reason.startsWith(`LOGIN_FAILED: ${errorDocsKo.LOGIN_FAILED.meaning}: `), login!.reason);
  assert.ok(login!.reason.includes(errorDocsKo.LOGIN_FAILED.action), login!.reason);

  const missing = await cli(["--workdir", join(dir, "no-such-workdir"), "status"], { env: { ...env, ABLESTACK_V2K_LANG: "ko" } });
  assert.equal(missing.ok, false);
  assert.equal(missing.error?.code, "WORKDIR_INVALID");
  assert.ok(missing.error!.message.startsWith(`${errorDocsKo.WORKDIR_INVALID.meaning}: `), missing.error!.message);
  assert.ok(missing.error!.message.includes("no-such-workdir"), "the English specifics name the workdir");
  assert.ok(missing.error!.hint.startsWith(errorDocsKo.WORKDIR_INVALID.action), missing.error!.hint);

  const usage = await cli(["no-such-command"], { env: { ...env, LANG: "ko_KR.UTF-8" } });
  assert.equal(usage.error?.code, "USAGE");
  assert.ok(usage.error!.message.startsWith(errorDocsKo.USAGE.meaning), usage.error!.message);
  const english = await cli(["no-such-command"], { env: { ...env, LANG: "C.UTF-8" } });
  assert.doesNotMatch(`${english.error!.message} ${english.error!.hint}`, HANGUL);
});

// The helper under a Korean locale, as a Korean host's terminal (LANG) or the page (ABLESTACK_V2K_LANG)
// runs it against the lab: preflight's titles and reasons in Korean with the same decisions as in
// English; an error's meaning and action in Korean ahead of the English specifics; English under C. The
// rounds' and the cutover's events in Korean, run in this process against the in-process vSphere fake and
// the host's libvirtd (this process speaks Korean; each command above gets its language in its env).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type TestLab, startTestLab } from "../support/lab";
import { cli, labEnv } from "../unit/cutover/cli-helpers";
import { errorDocsKo } from "../../src/shared/i18n/error-docs-ko";
import { FakeMigrations } from "../support/fake-migration";
import { addTestBridge, removeDomains, removeTestBridge, startLibvirtd } from "../support/libvirtd";
import { cbtEnable, runRoundWith, type DiskDataPath, type RoundKind } from "../../src/helper/sync/index";
import { runCutover } from "../../src/helper/cutover/cutover";
import { DomainOptionsSchema } from "../../src/helper/cutover/domain-config";
import { type Workdir } from "../../src/helper/state/index";
import { type V2kEvent } from "../../src/shared/events";

process.env.ABLESTACK_V2K_LANG = "ko"; // before this process makes any text

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

/** The data side of a round, recorded instead of copied: the rounds' decisions and events are the real ones. */
const noCopy: DiskDataPath = {
  targetReadsAsZeros: async (disk) => disk.syncedChangeId === null,
  copy: async (_c, _disk, _snap, areas) => {
    const bytes = areas.reduce((n, a) => n + a[1], 0);
    const stats = { totalBytes: bytes, bytesRead: bytes, bytesWritten: bytes, bytesZeroed: 0, bytesSkipped: 0 };
    return { ...stats, requests: 1, workers: 1, durationMs: 1, mbPerSec: 0, flushedAt: new Date().toISOString() };
  },
};

/** The events `wd` emits while `work` runs, and their log and phase lines. */
async function linesOf(wd: Workdir, work: () => Promise<unknown>): Promise<{ lines: string[]; events: V2kEvent[] }> {
  const events: V2kEvent[] = [];
  wd.emitter.addSink({ write: (e) => void events.push(e) });
  await work();
  const lines = events.flatMap((e) => (e.type === "log" || e.type === "phase" ? [`${e.step}: ${e.message}`] : []));
  return { lines, events };
}

test("a Korean locale's incremental round and cutover speak Korean; numbers and fields stay as they are", async (t) => {
  const world = await FakeMigrations.open("v2k-korean-events-");
  const lv = await startLibvirtd();
  const tag = Math.random().toString(36).slice(2, 8);
  const bridge = `v2kko${tag}`;
  const domain = `v2k-t-ko-${tag}`;
  await addTestBridge(bridge);
  t.after(async () => {
    await removeDomains(lv.virsh, [domain]);
    await removeTestBridge(bridge);
    await lv.release();
    await world.close();
  });
  const { wd, moref } = await world.migrationOf("fleet01");
  t.after(() => wd.release());
  mkdirSync(join(world.dir, "fleet01")); // the target directory init would have checked (the domain's files go there)
  const fake = world.fake;
  const round = (kind: RoundKind) => runRoundWith(wd, { api: fake, data: noCopy }, { kind });
  await cbtEnable(wd, fake);
  await round("base");
  await fake.model.guestWrite(moref, 0, 4 << 20, 1 << 20, 7);

  const incr = await linesOf(wd, () => round("incr"));
  assert.ok(incr.lines.length >= 4, incr.lines.join("\n"));
  for (const line of incr.lines) assert.match(line, HANGUL, line);
  assert.ok(
    incr.lines.some((l) => /^sync incr: Hard disk 1: 변경된 영역 1개\(1048576바이트, QCDA 호출 1번\)$/.test(l)),
    incr.lines.join("\n"),
  );
  const r = incr.events.find((e) => e.type === "round");
  assert.deepEqual(
    r && r.type === "round" && [r.kind, r.changedBytes],
    ["incr", 1 << 20],
    "the round's fields are the same in any language",
  );

  const options = {
    shutdown: "poweroff" as const,
    shutdownTimeoutSec: 60,
    start: false,
    convert: "none" as const,
    domain: DomainOptionsSchema.parse({ "network-map-default": `bridge:${bridge}`, "domain-name": domain, connect: lv.uri }),
  };
  const cut = await linesOf(wd, () =>
    runCutover(wd, options, {
      bridge: fake,
      virsh: lv.virsh,
      finalRound: (w) => runRoundWith(w, { api: fake, data: noCopy }, { kind: "final" }),
    }),
  );
  assert.equal(wd.manifest.phase, "defined", cut.lines.join("\n"));
  for (const line of cut.lines) assert.match(line, HANGUL, line);
  const said = cut.lines.join("\n");
  for (const want of [/^cutover: 컷오버 요청\(종료 방식: poweroff\)$/m, /VMware VM 전원 끄기를 요청했습니다/, /^cutover: 최종 동기화$/m]) {
    assert.match(said, want);
  }
  assert.match(said, new RegExp(`libvirt 도메인 '${domain}'을\\(를\\) 정의했습니다\\((kvm|qemu)\\)\\. 원본이 꺼진 지 \\d+\\.\\d초`));
  assert.ok(
    cut.lines.some((l) => l.startsWith("sync final: 라운드 ")),
    said,
  );
});

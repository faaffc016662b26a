// Numbers and durations follow Cockpit's language: Intl digits and separators, translated unit words.
import { test } from "node:test";
import assert from "node:assert/strict";
import { setCockpit } from "../../../src/page/host/cockpit";
import { formatBytes, formatDuration, formatRate } from "../../../src/page/format";
import { FakeCockpit } from "./fake-cockpit";

function inLanguage(language: string, translations: Record<string, string> = {}): void {
  const fake = new FakeCockpit();
  fake.translations = translations;
  const c = fake.asCockpit();
  (c as { language: string }).language = language;
  setCockpit(c);
}

test("English: bytes, rates and durations", () => {
  inLanguage("en");
  assert.equal(formatBytes(1536), "1.50 KiB");
  assert.equal(formatBytes(123456789), "118 MiB");
  assert.equal(formatBytes(512), "512 B");
  assert.equal(formatRate(5 * 1024 * 1024), "5.00 MiB/s");
  assert.equal(formatDuration(4_250), "4.3 s");
  assert.equal(formatDuration(59_700), "60 s");
  assert.equal(formatDuration(119_600), "2 min 0 s", "rounding never gives '1 min 60 s'");
  assert.equal(formatDuration(3_725_000), "1 h 2 min");
  assert.equal(formatDuration(-1), "-");
});

test("Korean: unit words from the translations", () => {
  inLanguage("ko", { "$0 s": "$0초", "$0 min $1 s": "$0분 $1초", "$0 h $1 min": "$0시간 $1분" });
  assert.equal(formatDuration(4_250), "4.3초");
  assert.equal(formatDuration(65_000), "1분 5초");
  assert.equal(formatDuration(7_260_000), "2시간 1분");
  assert.equal(formatBytes(1536), "1.50 KiB");
});

test("a language with a decimal comma gets one", () => {
  inLanguage("de");
  assert.equal(formatBytes(1536), "1,50 KiB");
  assert.equal(formatDuration(4_250), "4,3 s");
});

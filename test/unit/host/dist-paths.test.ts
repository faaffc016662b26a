// Product code names no distribution-specific path: only the tool locator (src/helper/host/tools.ts)
// lists per-distribution candidates. The locator itself is checked on Debian- and Rocky-like layouts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { FIRMWARE_DESCRIPTOR_DIRS, TOOL_CANDIDATES, findUefiFirmware, locateTool } from "../../../src/helper/host/tools";

const LOCATOR = "src/helper/host/tools.ts";
const DIST_PATHS = [
  /\/usr\/share\/OVMF/,
  /\/usr\/share\/edk2/,
  /\/usr\/lib\/cockpit/,
  /\/usr\/libexec\//,
  /\/usr\/share\/qemu/,
  /\/etc\/qemu\//,
  /\/usr\/lib64\//,
  /\/usr\/lib\/x86_64-linux-gnu/,
  /\/usr\/lib\/python3\/dist-packages/,
  /\/usr\/lib\/python3\.\d+\/site-packages/,
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : [path];
  });
}

test("no distribution-specific paths in src/ outside the tool locator", () => {
  const files = sourceFiles("src").filter((f) => /\.(ts|tsx|mjs|js|py|sh|json|html)$/.test(f));
  assert.ok(files.length > 50, "the scan sees the source tree");
  const hits: string[] = [];
  for (const file of files) {
    if (relative(".", file) === LOCATOR) continue;
    readFileSync(file, "utf8")
      .split("\n")
      .forEach((line, i) => {
        for (const re of DIST_PATHS) if (re.test(line)) hits.push(`${file}:${i + 1}: ${line.trim()}`);
      });
  }
  assert.deepEqual(hits, [], "ask src/helper/host/tools.ts instead");
  const locator = readFileSync(LOCATOR, "utf8");
  assert.ok(
    DIST_PATHS.some((re) => re.test(locator)),
    "the scan's patterns match what the locator lists",
  );
});

test("virt-v2v-in-place: Rocky's libexec before Debian's /usr/bin; an override wins; PATH is the fallback", () => {
  assert.deepEqual(TOOL_CANDIDATES["virt-v2v-in-place"], ["/usr/libexec/virt-v2v-in-place", "/usr/bin/virt-v2v-in-place"]);
  const dir = mkdtempSync(join(tmpdir(), "v2k-tools-"));
  try {
    const fake = join(dir, "virt-v2v-in-place");
    writeFileSync(fake, "#!/bin/sh\n");
    chmodSync(fake, 0o755);
    assert.equal(locateTool("virt-v2v-in-place", { ABLESTACK_V2K_VIRT_V2V_IN_PLACE: fake }), fake);
    assert.equal(locateTool("virt-v2v-in-place", { ABLESTACK_V2K_VIRT_V2V_IN_PLACE: join(dir, "missing") }), null);
    const onHost = locateTool("virt-v2v-in-place", { PATH: dir });
    // this Debian host has virt-v2v installed in /usr/bin; without it PATH would answer
    assert.ok(onHost === "/usr/bin/virt-v2v-in-place" || onHost === fake, String(onHost));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function descriptor(dir: string, name: string, features: string[], machines = ["pc-q35-*"]): void {
  writeFileSync(
    join(dir, name),
    JSON.stringify({
      "interface-types": ["uefi"],
      mapping: { device: "flash" },
      targets: [{ architecture: "x86_64", machines }],
      features,
    }),
  );
}

test("UEFI firmware: a descriptor with secure boot + enrolled keys, or one without secure boot (Rocky and Debian layouts)", () => {
  const root = mkdtempSync(join(tmpdir(), "v2k-fw-"));
  try {
    const rocky = join(root, "rocky");
    mkdirSync(rocky);
    descriptor(rocky, "30-edk2-ovmf-x64-sb-enrolled.json", ["enrolled-keys", "requires-smm", "secure-boot"]);
    descriptor(rocky, "40-edk2-ovmf-x64-sb.json", ["requires-smm", "secure-boot"]);
    descriptor(rocky, "50-edk2-ovmf-x64-nosb.json", ["acpi-s3"]);
    assert.equal(findUefiFirmware(true, [rocky]), join(rocky, "30-edk2-ovmf-x64-sb-enrolled.json"));
    assert.equal(findUefiFirmware(false, [rocky]), join(rocky, "50-edk2-ovmf-x64-nosb.json"));
    const sbOnly = join(root, "sb-only");
    mkdirSync(sbOnly);
    descriptor(sbOnly, "40-sb.json", ["secure-boot"]);
    descriptor(sbOnly, "50-i440fx.json", [], ["pc-i440fx-*"]);
    writeFileSync(join(sbOnly, "60-broken.json"), "{");
    assert.equal(findUefiFirmware(true, [sbOnly]), null, "secure boot without enrolled keys would not boot Windows");
    assert.equal(findUefiFirmware(false, [sbOnly]), null, "no q35 firmware without secure boot");
    assert.equal(findUefiFirmware(false, [join(root, "absent")]), null);
    // this Debian host: ovmf's descriptors
    assert.ok(findUefiFirmware(true, FIRMWARE_DESCRIPTOR_DIRS), "ovmf installed here offers secure boot with MS keys");
    assert.ok(findUefiFirmware(false, FIRMWARE_DESCRIPTOR_DIRS));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

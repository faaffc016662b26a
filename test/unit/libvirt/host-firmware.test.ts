// The cutover's check, before the source shuts down, that this host has the UEFI firmware the domain asks for.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hostFirmware, requireHostFirmware } from "../../../src/helper/libvirt/host-firmware";
import { firmwareChecks } from "../../../src/helper/preflight/firmware-check";
import { V2kError } from "../../../src/shared/v2k-error";

/** A QEMU firmware descriptor as the ovmf/edk2-ovmf packages install them. */
function descriptor(features: string[]) {
  return JSON.stringify({
    "interface-types": ["uefi"],
    mapping: { device: "flash" },
    targets: [{ architecture: "x86_64", machines: ["pc-q35-*"] }],
    features,
  });
}

test("a UEFI domain needs a matching firmware descriptor on the host; BIOS needs none", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "v2k-fw-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  requireHostFirmware("bios", [dir]);
  for (const f of ["efi", "efi-secure"] as const) {
    assert.throws(
      () => requireHostFirmware(f, [dir]),
      (e: unknown) => e instanceof V2kError && e.code === "TOOL_MISSING" && /keeps running/.test(e.message) && /ovmf/.test(e.hint ?? ""),
    );
  }
  writeFileSync(join(dir, "40-ovmf.json"), descriptor(["acpi-s3"]));
  requireHostFirmware("efi", [dir]);
  assert.throws(() => requireHostFirmware("efi-secure", [dir]), /secure boot and enrolled keys/);
  writeFileSync(join(dir, "30-ovmf-sb.json"), descriptor(["secure-boot", "enrolled-keys", "requires-smm"]));
  requireHostFirmware("efi-secure", [dir]);
});

test("preflight's firmware check and the cutover's refusal say a missing UEFI firmware in one wording", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "v2k-fw-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [f, kind] of [
    ["efi", /^UEFI: no firmware without secure boot for QEMU on this host; install .*ovmf/],
    ["efi-secure", /^UEFI with secure boot: no firmware with secure boot and enrolled keys for QEMU on this host; install .*ovmf/],
  ] as const) {
    const host = hostFirmware(f, [dir]);
    assert.equal(host.present, false);
    assert.match(host.reason, kind);
    assert.throws(
      () => requireHostFirmware(f, [dir]),
      (e: unknown) => e instanceof V2kError && e.message.startsWith(`${host.reason} (no descriptor in ${dir})`),
    );
  }
  assert.deepEqual(hostFirmware("bios", [dir]), { present: true, reason: "BIOS" });
  // preflight on this host: the same function, so a missing firmware would read exactly as above
  const [check] = firmwareChecks({ firmware: "efi", secureBoot: true });
  assert.equal(check!.reason, hostFirmware("efi-secure").reason);
  assert.equal(check!.status, hostFirmware("efi-secure").present ? "pass" : "warn");
});

test("this host's firmware packages satisfy both UEFI kinds (the cutover tests of UEFI VMs rely on it)", () => {
  requireHostFirmware("efi");
  requireHostFirmware("efi-secure");
});

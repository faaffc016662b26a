// --firmware: the domain XML of each choice (from a BIOS and from a UEFI secure-boot VMware VM), the cutover's
// options resolving it, the conversion's input XML following it, and preflight's warning for a changed choice.
import { test } from "node:test";
import assert from "node:assert/strict";
import { XMLParser } from "fast-xml-parser";
import { buildDomainXml } from "../../../src/helper/libvirt/domain-xml";
import { type DomainPolicy, parseNetworkMap } from "../../../src/helper/libvirt/domain-policy";
import { DomainOptionsSchema, resolveDomainPolicy } from "../../../src/helper/cutover/domain-config";
import { conversionInputXml } from "../../../src/helper/convert/input-xml";
import { inventoryChecks } from "../../../src/helper/preflight/checks";
import { type Virsh } from "../../../src/helper/libvirt/virsh";
import { FIRMWARE_CHOICES, type FirmwareChoice, domainFirmware, firmwareChange } from "../../../src/shared/firmware";
import { fixtureManifest } from "../cutover/manifest-fixture";
import { inventory } from "../state/fixtures";

const noVirsh = new Proxy({}, { get: (_t, p) => () => assert.fail(`virsh.${String(p)} must not be called`) }) as unknown as Virsh;
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@" });
type Node = Record<string, any>;

const bios = () => fixtureManifest({ firmware: "bios" });
const uefiSecure = () => fixtureManifest({ name: "win01", isWindows: true, firmware: "efi", secureBoot: true });

/** The domain as cutover builds it for `--firmware choice`: the options resolved, then the XML parsed back. */
async function domainFor(m: ReturnType<typeof fixtureManifest>, choice?: FirmwareChoice): Promise<Node> {
  const o = DomainOptionsSchema.parse({ "domain-type": "qemu", ...(choice ? { firmware: choice } : {}) });
  const resolved: DomainPolicy = await resolveDomainPolicy(m, o, noVirsh);
  const policy = { ...resolved, networkMap: parseNetworkMap(["VM Network=br0"]) };
  return (parser.parse(buildDomainXml(m, policy)) as Node).domain as Node;
}

/** "efi+secure-boot=yes,enrolled-keys=yes+smm" style summary of what the XML asks libvirt for. */
function firmwareOfXml(d: Node): string {
  if (d.os["@firmware"] === undefined) {
    assert.equal(d.os.firmware, undefined);
    return d.features.smm === undefined ? "bios" : "bios+smm";
  }
  const features = ([] as Node[]).concat(d.os.firmware.feature).map((f) => `${f["@name"]}=${f["@enabled"]}`);
  return `${d.os["@firmware"]}+${features.join(",")}${d.features.smm ? `+smm=${d.features.smm["@state"]}` : ""}`;
}

test("a BIOS VMware VM: auto keeps BIOS; bios, efi and efi-secure give exactly that firmware", async () => {
  const m = bios();
  assert.equal(firmwareOfXml(await domainFor(m)), "bios", "no option: the VMware VM's");
  assert.equal(firmwareOfXml(await domainFor(m, "auto")), "bios");
  assert.equal(firmwareOfXml(await domainFor(m, "bios")), "bios");
  assert.equal(firmwareOfXml(await domainFor(m, "efi")), "efi+secure-boot=no", "UEFI without secure boot, no smm");
  assert.equal(
    firmwareOfXml(await domainFor(m, "efi-secure")),
    "efi+secure-boot=yes,enrolled-keys=yes+smm=on",
    "secure boot needs the enrolled keys and smm",
  );
});

test("a UEFI secure-boot VMware VM: auto keeps secure boot; efi turns it off; bios drops UEFI", async () => {
  const m = uefiSecure();
  assert.equal(firmwareOfXml(await domainFor(m)), "efi+secure-boot=yes,enrolled-keys=yes+smm=on");
  assert.equal(firmwareOfXml(await domainFor(m, "efi-secure")), "efi+secure-boot=yes,enrolled-keys=yes+smm=on");
  assert.equal(firmwareOfXml(await domainFor(m, "efi")), "efi+secure-boot=no");
  assert.equal(firmwareOfXml(await domainFor(m, "bios")), "bios");
});

test("--firmware is declared once: its values are the choices, anything else is refused", () => {
  for (const c of FIRMWARE_CHOICES) assert.equal(DomainOptionsSchema.parse({ firmware: c }).firmware, c);
  assert.equal(DomainOptionsSchema.parse({}).firmware, "auto");
  assert.throws(() => DomainOptionsSchema.parse({ firmware: "uefi" }));
});

test("what counts as a change of firmware, and what the domain gets", () => {
  const biosVm = { firmware: "bios", secureBoot: false };
  const efiVm = { firmware: "efi", secureBoot: false };
  const sbVm = { firmware: "efi", secureBoot: true };
  assert.deepEqual(
    FIRMWARE_CHOICES.map((c) => domainFirmware(efiVm, c)),
    ["efi", "bios", "efi", "efi-secure"],
  );
  assert.deepEqual(
    FIRMWARE_CHOICES.map((c) => firmwareChange(biosVm, c)),
    [null, null, "bios-to-uefi", "bios-to-uefi"],
  );
  assert.deepEqual(
    FIRMWARE_CHOICES.map((c) => firmwareChange(efiVm, c)),
    [null, "uefi-to-bios", null, "secure-boot-on"],
  );
  assert.deepEqual(
    FIRMWARE_CHOICES.map((c) => firmwareChange(sbVm, c)),
    [null, "uefi-to-bios", "secure-boot-off", null],
  );
});

test("the conversion's input XML carries the chosen firmware, the VMware VM's without a choice", () => {
  const overlays = (m: ReturnType<typeof fixtureManifest>) => m.disks.map((d) => ({ diskKey: d.key, path: `/w/disk-${d.key}.qcow2` }));
  const b = bios();
  assert.doesNotMatch(conversionInputXml(b, overlays(b)), /firmware='efi'/);
  assert.match(conversionInputXml(b, overlays(b), "efi"), /<os firmware='efi'>/);
  assert.match(conversionInputXml(b, overlays(b), "efi-secure"), /<os firmware='efi'>/);
  const u = uefiSecure();
  assert.match(conversionInputXml(u, overlays(u)), /<os firmware='efi'>/);
  assert.doesNotMatch(conversionInputXml(u, overlays(u), "bios"), /firmware='efi'|pflash/);
});

test("preflight: a firmware other than the VMware VM's is a warning saying why and what to check, never a No-Go", () => {
  const byId = (choice?: FirmwareChoice) => Object.fromEntries(inventoryChecks(inventory, choice).map((c) => [c.id, c]));
  assert.equal(byId()["firmware-choice"], undefined, "auto: nothing to warn about");
  assert.equal(byId("bios")["firmware-choice"], undefined, "the VMware VM's own firmware named: no change");
  assert.equal(byId()["firmware"]!.reason, "BIOS");

  const toUefi = byId("efi");
  assert.equal(toUefi["firmware-choice"]!.status, "warn");
  assert.match(toUefi["firmware-choice"]!.reason, /^--firmware efi: the VMware VM boots with BIOS/);
  assert.match(toUefi["firmware-choice"]!.reason, /EFI system partition.*Check the guest's disk/);
  // the host check follows the chosen firmware: UEFI now needs the host's UEFI firmware
  assert.match(toUefi["firmware"]!.reason, /^UEFI: (firmware present on this host|install )/);
  assert.match(byId("efi-secure")["firmware"]!.reason, /^UEFI with secure boot: /);
  assert.ok(
    inventoryChecks(inventory, "efi-secure").every((c) => c.status !== "fail"),
    "a changed firmware never makes preflight No-Go",
  );

  const sbInventory = { ...inventory, firmware: "efi", secureBoot: true };
  const toBios = Object.fromEntries(inventoryChecks(sbInventory, "bios").map((c) => [c.id, c]));
  assert.match(toBios["firmware-choice"]!.reason, /boots with UEFI.*BIOS boot loader/);
  assert.equal(toBios["firmware"]!.reason, "BIOS", "BIOS needs no UEFI firmware on the host");
  const sbOff = Object.fromEntries(inventoryChecks(sbInventory, "efi").map((c) => [c.id, c]));
  assert.match(sbOff["firmware-choice"]!.reason, /BitLocker.*recovery key/);
  const sbOn = Object.fromEntries(inventoryChecks({ ...sbInventory, secureBoot: false }, "efi-secure").map((c) => [c.id, c]));
  assert.match(sbOn["firmware-choice"]!.reason, /only signed boot loaders/);
});

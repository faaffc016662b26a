// One resolution of a VM's port groups to KVM networks, decided for preflight and cutover alike: a fake virsh
// (libvirt networks 'lan' active, 'idle' defined but stopped, 'default' only when asked) and a temp
// /sys/class/net with fake bridge dirs. Preflight warns on unchosen port groups and fails on missing targets;
// cutover refuses both (USAGE for unchosen, NETWORK_MISSING for missing), each with a hint.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type NetworkHost, networksError, resolveNetworks } from "../../../src/helper/cutover/domain-config";
import { parseNetworkMap } from "../../../src/helper/libvirt/domain-policy";
import { type Virsh } from "../../../src/helper/libvirt/virsh";
import { networkCheck } from "../../../src/helper/preflight/network-check";
import { V2kError } from "../../../src/shared/v2k-error";
import { tempDir } from "../state/fixtures";

/** virsh with libvirt networks by name -> active; net-list and net-info only, as the resolution uses them. */
function fakeVirsh(networks: Record<string, boolean>): Virsh {
  const run = async (args: string[]): Promise<string> => {
    if (args.join(" ") === "net-list --all --name") return Object.keys(networks).join("\n") + "\n";
    const name = args[1]!;
    if (args[0] === "net-info" && name in networks) {
      return `Name:           ${name}\nActive:         ${networks[name] ? "yes" : "no"}\nBridge:         virbr-${name}\n`;
    }
    throw new V2kError("PROCESS_FAILED", `virsh ${args.join(" ")} failed`, "fake");
  };
  return { run } as unknown as Virsh;
}

/** A host: bridges under a temp sysNet, no host config file unless given, no env default unless given. */
function host(t: Parameters<typeof tempDir>[0], bridges: string[], env: Record<string, string> = {}): NetworkHost {
  const dir = tempDir(t);
  const sysNet = join(dir, "net");
  mkdirSync(join(sysNet, "eth0"), { recursive: true }); // a NIC, not a bridge
  for (const b of bridges) mkdirSync(join(sysNet, b, "bridge"), { recursive: true });
  return { sysNet, env: { ABLESTACK_V2K_CONFIG: join(dir, "none.conf"), ...env } };
}

const virsh = fakeVirsh({ lan: true, idle: false });
const pgs = ["VM Network", "dvpg-prod", "VM Network"];
const map = (...entries: string[]) => parseNetworkMap(entries);

test("every port group mapped to an existing bridge or active network: the targets, no default asked", async (t) => {
  const r = await resolveNetworks(pgs, map("VM Network=br0", "dvpg-prod=network:lan"), undefined, virsh, host(t, ["br0", "br1"]));
  assert.deepEqual(r, {
    ok: true,
    targets: new Map([
      ["VM Network", { kind: "bridge", name: "br0" }],
      ["dvpg-prod", { kind: "network", name: "lan" }],
    ]),
    default: null,
  });
});

test("unmapped port groups take the flag, else the host's default (libvirt 'default' active, the only bridge)", async (t) => {
  const flag = await resolveNetworks(pgs, map("VM Network=br0"), "network:lan", virsh, host(t, ["br0", "br1"]));
  assert.ok(flag.ok);
  assert.deepEqual(flag.targets.get("dvpg-prod"), { kind: "network", name: "lan" });
  assert.equal(flag.default?.source, "--network-map-default");

  const onlyBridge = await resolveNetworks(pgs, map("VM Network=network:lan"), undefined, virsh, host(t, ["br0"]));
  assert.ok(onlyBridge.ok);
  assert.deepEqual(onlyBridge.targets.get("dvpg-prod"), { kind: "bridge", name: "br0" });
  assert.equal(onlyBridge.default?.source, "the host's only Linux bridge br0");

  const libvirtDefault = await resolveNetworks(pgs, map(), undefined, fakeVirsh({ default: true }), host(t, ["br0", "br1"]));
  assert.ok(libvirtDefault.ok);
  assert.deepEqual(
    [...libvirtDefault.targets.values()],
    [
      { kind: "network", name: "default" },
      { kind: "network", name: "default" },
    ],
  );
});

test("no map and no host default: the unmapped port groups are unchosen (several bridges are named)", async (t) => {
  const ambiguous = await resolveNetworks(pgs, map("VM Network=br0"), undefined, virsh, host(t, ["br0", "br1"]));
  assert.deepEqual(ambiguous, { ok: false, unchosen: { portGroups: ["dvpg-prod"], ambiguous: ["br0", "br1"] }, missing: [] });

  const none = await resolveNetworks(
    pgs,
    map("VM Network=br0"),
    undefined,
    virsh,
    host(t, ["br0"], { ABLESTACK_V2K_NETWORK_MAP_DEFAULT: "none" }),
  );
  assert.deepEqual(none, { ok: false, unchosen: { portGroups: ["dvpg-prod"] }, missing: [] });

  const e = networksError(ambiguous as Extract<typeof ambiguous, { ok: false }>);
  assert.equal(e.code, "USAGE");
  assert.equal(e.message, "no KVM network for port group(s) dvpg-prod, and the host has several bridges (br0, br1)");
  assert.match(e.hint, /--network-map-default BRIDGE/);
  const n = networksError(none as Extract<typeof none, { ok: false }>);
  assert.equal(n.message, "no KVM network for port group(s): dvpg-prod");
  assert.match(n.hint, /--network-map PG=BRIDGE/);
});

test("a missing bridge, a missing or stopped network (the default's too) are the problems, with a NETWORK_MISSING refusal", async (t) => {
  const h = host(t, ["br0"]);
  const r = await resolveNetworks(["a", "b", "c", "d"], map("a=br9", "b=network:idle", "c=network:gone"), "network:idle", virsh, h);
  assert.deepEqual(r, {
    ok: false,
    unchosen: null,
    missing: [
      { portGroup: "a", target: "bridge:br9", reason: "missing" },
      { portGroup: "b", target: "network:idle", reason: "inactive" },
      { portGroup: "c", target: "network:gone", reason: "missing" },
      { portGroup: "d", target: "network:idle", reason: "inactive" },
    ],
  });
  const e = networksError(r as Extract<typeof r, { ok: false }>);
  assert.equal(e.code, "NETWORK_MISSING");
  assert.match(e.message, /^the KVM network for a -> bridge:br9 \(does not exist\), b -> network:idle \(not active\)/);
  assert.match(e.hint, /virsh net-start NAME.*left running/);
});

test("unchosen and missing together: both are reported, cutover refuses the unchosen first", async (t) => {
  const r = await resolveNetworks(pgs, map("VM Network=br9"), undefined, virsh, host(t, ["br0", "br1"]));
  assert.equal(r.ok, false);
  assert.ok(!r.ok);
  assert.deepEqual(r.unchosen, { portGroups: ["dvpg-prod"], ambiguous: ["br0", "br1"] });
  assert.deepEqual(r.missing, [{ portGroup: "VM Network", target: "bridge:br9", reason: "missing" }]);
  assert.equal(networksError(r).code, "USAGE");
});

test("preflight: unchosen is a warning, a missing target a fail, a bad map a fail, all chosen and present a pass", async (t) => {
  const h = host(t, ["br0", "br1"]);
  const warn = await networkCheck(pgs, ["VM Network=br0"], undefined, virsh, h);
  assert.equal(warn.status, "warn");
  assert.equal(
    warn.reason,
    "no KVM network chosen for dvpg-prod: several bridges (br0, br1) and no default; map each port group (--network-map PG=TARGET) before the cutover",
  );
  const none = await networkCheck(pgs, [], undefined, virsh, { ...h, env: { ...h.env, ABLESTACK_V2K_NETWORK_MAP_DEFAULT: "none" } });
  assert.equal(none.status, "warn");
  assert.match(none.reason, /^no KVM network chosen for VM Network, dvpg-prod: no host default network;/);

  const fail = await networkCheck(pgs, ["VM Network=br9"], undefined, virsh, h);
  assert.equal(fail.status, "fail", "a missing target is a No-Go even while another port group is unchosen");
  assert.equal(fail.reason, "NETWORK_MISSING: VM Network -> bridge:br9 (does not exist)");
  const bad = await networkCheck(pgs, ["no-equals-sign"], undefined, virsh, h);
  assert.equal(bad.status, "fail");
  assert.match(bad.reason, /^USAGE: /);

  const pass = await networkCheck(pgs, ["VM Network=br1"], "network:lan", virsh, h);
  assert.deepEqual([pass.status, pass.reason], ["pass", "VM Network -> bridge:br1, dvpg-prod -> network:lan"]);
  assert.deepEqual((await networkCheck([], [], undefined, virsh, h)).reason, "the VM has no NIC");
});

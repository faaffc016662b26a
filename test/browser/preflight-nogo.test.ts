// An already-migrated VM in the wizard: web01 has an unfinished migration in the state root, a libvirt
// domain carrying its BIOS uuid and a process holding the image the wizard would write. Preflight shows
// No-Go with each reason (DOMAIN_EXISTS, TARGET_IN_USE, MIGRATION_EXISTS) and the wizard cannot go on, saying why.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PageWorld } from "../support/page-world";
import { walkPreflight, walkTarget, walkToTarget } from "../support/wizard-walk";

// the target step needs a network for each port group of the VM: the world's private bridge, picked from its dropdown
const world = new PageWorld({ dir: "v2k-nogo-root-", domain: "v2k-t-nogo-", bridge: "v2kn" });
let holder: ChildProcess | undefined;
before(() => world.open());
after(async () => {
  holder?.kill();
  await world.close();
});

/** The situation of a VM migrated before: its migration, its KVM domain, its image open in a process. */
async function alreadyMigrated(vm: string, images: string): Promise<string> {
  const { lv, root, domain } = world;
  const { workdir }: { workdir: string } = await world.helper(["init", "--vm", vm, "--dst", join(root, "earlier")]);
  const uuid = (JSON.parse(readFileSync(join(workdir, "manifest.json"), "utf8")) as { vm: { uuid: string } }).vm.uuid;
  const xml = join(root, "domain.xml");
  writeFileSync(
    xml,
    `<domain type='qemu'><name>${domain}</name><uuid>${uuid}</uuid><memory unit='MiB'>64</memory>` +
      "<os><type arch='x86_64'>hvm</type></os></domain>",
  );
  await lv.virsh.run(["define", xml]);
  const image = join(images, `${vm}-disk0.qcow2`);
  writeFileSync(image, "");
  holder = spawn("bash", ["-c", 'exec 3<"$0"; echo ready; exec sleep 600', image], { stdio: ["ignore", "pipe", "ignore"] });
  await new Promise((r) => holder!.stdout!.once("data", r));
  return workdir;
}

test("preflight for an already-migrated VM is No-Go with what to do, and the wizard does not go on", async () => {
  const { cockpit, lab, root, domain, bridge } = world;
  mkdirSync(join(root, "earlier"));
  const images = join(root, "images");
  mkdirSync(images);
  const workdir = await alreadyMigrated("web01", images);

  const page = await cockpit.open("en");
  await walkToTarget(page, cockpit.pageUrl, lab, "web01");
  await walkTarget(page, { dst: images, bridge }); // web01's two port groups, each onto the test bridge
  const { go, rows } = await walkPreflight(page);
  assert.equal(go, false, "preflight No-Go");
  const domainRow = rows["kvm-domain"];
  assert.equal(domainRow?.status, "fail");
  assert.match(domainRow.text, new RegExp(`DOMAIN_EXISTS: libvirt domain '${domain}' \\(shut off, same uuid`));
  const inUse = rows["target-in-use"];
  assert.equal(inUse?.status, "fail");
  assert.match(inUse.text, new RegExp(`TARGET_IN_USE: ${images}/web01-disk0.qcow2 is open in sleep \\(pid ${holder!.pid}\\)`));
  const other = rows["other-migration"];
  assert.equal(other?.status, "fail");
  assert.match(other.text, new RegExp(`MIGRATION_EXISTS: ${workdir} \\(initialized\\)`));
  // Create is disabled, and the page says why beside it
  assert.equal(await page.$eval("#v2k-wizard-create", (b) => (b as HTMLButtonElement).disabled), true, "the wizard cannot go on");
  assert.equal(
    await page.$eval("#v2k-wizard-blocked", (e) => e.textContent),
    "Preflight said No-Go: fix the failed checks, then run them again.",
  );
  await cockpit.screenshot(page, "wizard-preflight-already-migrated");
  await page.close();
});

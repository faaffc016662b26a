// "auto" domain type: kvm only with hardware-assisted KVM (kvm_intel/kvm_amd next to /dev/kvm);
// a software KVM mode (kvm_pvm) or no /dev/kvm means TCG.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hardwareKvm, resolveDomainType, Virsh } from "../../../src/helper/libvirt/virsh";

test("hardware KVM needs /dev/kvm and kvm_intel or kvm_amd", () => {
  const root = mkdtempSync(join(tmpdir(), "v2k-kvm-"));
  try {
    const sys = join(root, "module");
    const dev = join(root, "kvm");
    mkdirSync(join(sys, "kvm"), { recursive: true });
    mkdirSync(join(sys, "kvm_pvm"));
    assert.equal(hardwareKvm(sys, dev), false, "no /dev/kvm");
    writeFileSync(dev, "");
    assert.equal(hardwareKvm(sys, dev), false, "kvm_pvm is not hardware-assisted");
    mkdirSync(join(sys, "kvm_amd"));
    assert.equal(hardwareKvm(sys, dev), true);
    rmSync(join(sys, "kvm_amd"), { recursive: true });
    mkdirSync(join(sys, "kvm_intel"));
    assert.equal(hardwareKvm(sys, dev), true);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("explicit policies and ABLESTACK_V2K_DOMAIN_TYPE win over detection", async () => {
  // a URI nobody answers: these paths must not need libvirt
  const virsh = new Virsh({ uri: "qemu+unix:///system?socket=/nonexistent/v2k.sock", timeoutMs: 5000 });
  assert.equal(await resolveDomainType("kvm", virsh), "kvm");
  assert.equal(await resolveDomainType("qemu", virsh), "qemu");
  const saved = process.env.ABLESTACK_V2K_DOMAIN_TYPE;
  try {
    process.env.ABLESTACK_V2K_DOMAIN_TYPE = "kvm";
    assert.equal(await resolveDomainType("auto", virsh), "kvm");
    process.env.ABLESTACK_V2K_DOMAIN_TYPE = "qemu";
    assert.equal(await resolveDomainType("auto", virsh), "qemu");
  } finally {
    if (saved === undefined) delete process.env.ABLESTACK_V2K_DOMAIN_TYPE;
    else process.env.ABLESTACK_V2K_DOMAIN_TYPE = saved;
  }
});

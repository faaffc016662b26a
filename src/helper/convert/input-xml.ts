// The libvirt XML virt-v2v-in-place reads (-i libvirtxml): the domain's firmware and its disks, each
// pointing at our qcow2 overlay. NICs are left out: conversion needs only the disks.
import { type Manifest } from "../../shared/manifest";
import { type Firmware, isUefi, sourceFirmware } from "../../shared/firmware";
import { diskDevName, xmlEscape as a } from "../libvirt/domain-xml";
import { type Overlay } from "./overlays";

/** firmware: what the KVM domain will boot with (--firmware), so virt-v2v fixes that boot loader's set-up. */
export function conversionInputXml(m: Manifest, overlays: Overlay[], firmware: Firmware = sourceFirmware(m.vm)): string {
  const byKey = new Map(overlays.map((o) => [o.diskKey, o.path]));
  const disks = [...m.disks]
    .sort((x, y) => x.index - y.index)
    .flatMap((d, i) => [
      "    <disk type='file' device='disk'>",
      "      <driver name='qemu' type='qcow2'/>",
      `      <source file='${a(byKey.get(d.key)!)}'/>`,
      `      <target dev='${diskDevName("sd", i)}' bus='scsi'/>`,
      "    </disk>",
    ]);
  const os = isUefi(firmware)
    ? ["  <os firmware='efi'>", "    <type arch='x86_64'>hvm</type>", "    <loader type='pflash'/>", "  </os>"]
    : ["  <os>", "    <type arch='x86_64'>hvm</type>", "  </os>"];
  return [
    "<domain type='kvm'>",
    `  <name>${a(m.vm.name.replace(/[^A-Za-z0-9._+-]/g, "_") || "v2k-vm")}</name>`,
    `  <memory unit='MiB'>${m.vm.memoryMiB}</memory>`,
    `  <vcpu>${m.vm.numCPU}</vcpu>`,
    ...os,
    "  <devices>",
    ...disks,
    "  </devices>",
    "</domain>",
    "",
  ].join("\n");
}

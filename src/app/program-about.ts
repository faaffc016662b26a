// The program's name, description and version: shared by the whole program and the one command line's.
import { TOOL_VERSION } from "../helper/version";

export const programAbout = {
  name: "ablestack_v2k",
  description: "Moves running VMware VMs to ABLESTACK (KVM/libvirt) with changed block tracking.",
  version: TOOL_VERSION,
};

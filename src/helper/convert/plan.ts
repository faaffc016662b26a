// Which conversion a VM gets and why (pure: the host facts come in as arguments), and the
// virt-v2v-in-place command line with the libguestfs environment it runs in.
import { z } from "zod";
import { say } from "../../shared/i18n/lang";

export const ConvertPolicy = z.enum(["auto", "virt-v2v", "none"]);
export type ConvertPolicy = z.infer<typeof ConvertPolicy>;

export interface HostConversionTools {
  virtV2vInPlace: string | null;
  virtioWin: string | null;
}

export interface ConversionPlan {
  tool: "virt-v2v" | "none";
  /** virtio drivers expected after conversion (decides disk bus and NIC model for "auto"). */
  virtio: boolean;
  reason: string;
  /** Said once as a warning event and in the manifest (what the operator should install). */
  warning?: { code: string; message: string };
}

export function planConversion(policy: ConvertPolicy, isWindows: boolean, tools: HostConversionTools): ConversionPlan {
  if (policy === "none") {
    return {
      tool: "none",
      virtio: !isWindows,
      reason: say("--convert none: the disks are left as copied", "--convert none: 디스크를 복사된 그대로 둡니다"),
    };
  }
  if (!tools.virtV2vInPlace) {
    return {
      tool: "none",
      virtio: !isWindows,
      reason: say("virt-v2v-in-place is not installed", "virt-v2v-in-place가 설치되어 있지 않습니다"),
      warning: {
        code: "CONVERT_TOOL_MISSING",
        message: say(
          "virt-v2v-in-place is not installed: the guest is not converted (install virt-v2v)",
          "virt-v2v-in-place가 설치되어 있지 않아 게스트를 변환하지 않습니다(virt-v2v를 설치하세요)",
        ),
      },
    };
  }
  if (!isWindows) {
    const reason = say(
      "Linux: virt-v2v rebuilds the initramfs with virtio drivers",
      "Linux: virt-v2v가 virtio 드라이버로 initramfs를 다시 만듭니다",
    );
    return { tool: "virt-v2v", virtio: true, reason };
  }
  if (tools.virtioWin) {
    const reason = say(
      `Windows: virt-v2v injects virtio drivers from ${tools.virtioWin}`,
      `Windows: virt-v2v가 ${tools.virtioWin}의 virtio 드라이버를 넣습니다`,
    );
    return { tool: "virt-v2v", virtio: true, reason };
  }
  return {
    tool: "virt-v2v",
    virtio: false,
    reason: say(
      "Windows without virtio-win: virt-v2v prepares the guest, the domain uses SATA disks and an e1000e NIC",
      "virtio-win 없는 Windows: virt-v2v가 게스트를 준비하고, 도메인은 SATA 디스크와 e1000e NIC를 씁니다",
    ),
    warning: {
      code: "VIRTIO_WIN_MISSING",
      message: say(
        "virtio-win is not installed (no $VIRTIO_WIN, no /usr/share/virtio-win): Windows keeps SATA disks and an e1000e NIC; " +
          "install the virtio-win package (or set VIRTIO_WIN to its directory or ISO) for virtio drivers",
        "virtio-win이 설치되어 있지 않습니다($VIRTIO_WIN 없음, /usr/share/virtio-win 없음): Windows는 SATA 디스크와 e1000e NIC를 씁니다. " +
          "virtio 드라이버를 쓰려면 virtio-win 패키지를 설치하세요(또는 VIRTIO_WIN에 그 디렉터리나 ISO를 지정하세요)",
      ),
    },
  };
}

/** libguestfs' own default cache directory when TMPDIR is not set (it holds .guestfs-<uid>). */
export const GUESTFS_CACHE_DIR = "/var/tmp";

export interface V2vCommand {
  file: string;
  args: string[];
  env: Record<string, string>;
}

/**
 * virt-v2v-in-place on a libvirt XML whose disks are our overlays. libguestfs runs its appliance
 * directly (no libvirt session needed) and under TCG when the host has no hardware KVM, as the
 * domain-type logic decides for the guest itself.
 */
export function v2vCommand(o: {
  binary: string;
  inputXml: string;
  accel: "kvm" | "qemu";
  virtioWin: string | null;
  tmpDir: string;
}): V2vCommand {
  // the appliance libguestfs builds (supermin, tens of seconds) is cached host-wide: the rehearsal's
  // build serves the conversion in the downtime, and every later migration
  const env: Record<string, string> = {
    LIBGUESTFS_BACKEND: "direct",
    LIBGUESTFS_CACHEDIR: GUESTFS_CACHE_DIR,
    TMPDIR: o.tmpDir,
    LC_ALL: "C",
  };
  if (o.accel === "qemu") env.LIBGUESTFS_BACKEND_SETTINGS = "force_tcg";
  if (o.virtioWin) env.VIRTIO_WIN = o.virtioWin;
  return { file: o.binary, args: ["-v", "-x", "--root", "first", "-i", "libvirtxml", o.inputXml], env };
}

/** Facts virt-v2v prints about the guest it converted. */
export interface ConversionFacts {
  os?: string;
  virtioDrivers?: boolean;
}

export function parseV2vFacts(log: string): ConversionFacts {
  const facts: ConversionFacts = {};
  const os = /Converting (.+?) to run on KVM/.exec(log);
  if (os) facts.os = os[1]!;
  if (log.includes("This guest has virtio drivers installed.")) facts.virtioDrivers = true;
  else if (log.includes("This guest does not have virtio drivers installed.")) facts.virtioDrivers = false;
  return facts;
}

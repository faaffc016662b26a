// libvirtd for tests on hosts without systemd: start virtlogd and libvirtd if they are not running
// (idempotent), wait for the socket, and stop only what this process started once no other test
// process still uses it. Also prepares what libvirt-daemon-system would (log dir, qemu user).
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { exec } from "../../src/kit/exec";
import { Virsh } from "../../src/helper/libvirt/virsh";

export const TEST_LIBVIRT_URI = "qemu:///system";
const SOCKET = "/run/libvirt/libvirt-sock";
const USERS_DIR = "/run/ablestack-v2k-test/libvirtd-users";

export interface LibvirtdHandle {
  uri: string;
  virsh: Virsh;
  /** True when this process started libvirtd (and will stop it in release()). */
  startedHere: boolean;
  release(): Promise<void>;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // a daemon that exited but was not reaped yet (zombie) is gone for our purposes
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, "utf8"));
  } catch {
    return false;
  }
}

function daemonPid(name: "libvirtd" | "virtlogd"): number | null {
  try {
    const pid = Number(readFileSync(`/run/${name}.pid`, "utf8").trim());
    if (!(pid > 0) || !pidAlive(pid)) return null;
    const comm = readFileSync(`/proc/${pid}/comm`, "utf8").trim();
    return comm === name ? pid : null;
  } catch {
    return null;
  }
}

async function ensureQemuUser(): Promise<void> {
  // Debian's libvirt looks the "libvirt-qemu" user up before reading qemu.conf; libvirt-daemon-system
  // creates it, but that package (and its systemd units) is not installed on these hosts.
  const ok = await exec("getent", ["passwd", "libvirt-qemu"], { timeoutMs: 10_000, okCodes: [0, 2] });
  if (ok.exitCode === 0) return;
  await exec("groupadd", ["--system", "-f", "libvirt-qemu"], { timeoutMs: 10_000 });
  await exec(
    "useradd",
    [
      "--system",
      "--no-create-home",
      "--home-dir",
      "/var/lib/libvirt",
      "--shell",
      "/usr/sbin/nologin",
      "-g",
      "libvirt-qemu",
      "libvirt-qemu",
    ],
    { timeoutMs: 10_000, okCodes: [0, 9] },
  );
}

function ensureQemuConf(): void {
  // Guests run as root in tests: their disks live in 0700 temp dirs a qemu user could not enter. With
  // libvirt-daemon-system (pulled in by cockpit-machines) the stock qemu.conf has no active user line.
  const conf = "/etc/libvirt/qemu.conf";
  const text = existsSync(conf) ? readFileSync(conf, "utf8") : "";
  if (/^\s*user\s*=/m.test(text)) return;
  mkdirSync("/etc/libvirt", { recursive: true });
  writeFileSync(
    conf,
    `${text}\n# Added by ablestack-v2k's test support: guests of the tests run as root.\nuser = "root"\ngroup = "root"\n`,
  );
}

async function waitFor(cond: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function registerUser(): string {
  mkdirSync(USERS_DIR, { recursive: true });
  const file = join(USERS_DIR, String(process.pid));
  writeFileSync(file, "");
  return file;
}

function otherLiveUsers(): number {
  if (!existsSync(USERS_DIR)) return 0;
  return readdirSync(USERS_DIR).filter((f) => Number(f) !== process.pid && pidAlive(Number(f))).length;
}

/** Make sure libvirtd answers on qemu:///system; returns a handle whose release() undoes what we started. */
export async function startLibvirtd(): Promise<LibvirtdHandle> {
  for (const d of ["/var/log/libvirt", "/var/lib/libvirt", "/var/lib/libvirt/qemu", "/var/lib/libvirt/qemu/nvram", "/var/cache/libvirt"]) {
    mkdirSync(d, { recursive: true });
  }
  await ensureQemuUser();
  ensureQemuConf();
  const userFile = registerUser();
  const virsh = new Virsh({ uri: TEST_LIBVIRT_URI, timeoutMs: 20_000 });
  const answers = async () => {
    if (!existsSync(SOCKET)) return false;
    try {
      await virsh.version();
      return true;
    } catch {
      return false;
    }
  };
  let startedLogd = false;
  let startedHere = false;
  if (daemonPid("virtlogd") === null) {
    await exec("virtlogd", ["-d"], { timeoutMs: 20_000 });
    startedLogd = true;
  }
  if (!(daemonPid("libvirtd") !== null && (await answers()))) {
    if (daemonPid("libvirtd") === null) {
      await exec("libvirtd", ["-d"], { timeoutMs: 30_000 });
      startedHere = true;
    }
    await waitFor(answers, 30_000, "libvirtd to answer on " + SOCKET);
  }
  return {
    uri: TEST_LIBVIRT_URI,
    virsh,
    startedHere,
    async release() {
      rmSync(userFile, { force: true });
      if (otherLiveUsers() > 0) return;
      for (const [name, mine] of [
        ["libvirtd", startedHere],
        ["virtlogd", startedLogd],
      ] as const) {
        const pid = mine ? daemonPid(name) : null;
        if (pid === null) continue;
        process.kill(pid, "SIGTERM");
        await waitFor(async () => !pidAlive(pid), 15_000, `${name} to stop`).catch(() => process.kill(pid, "SIGKILL"));
      }
    },
  };
}

/** Destroy and undefine test domains (by exact name) whatever their state; for finally blocks. */
export async function removeDomains(virsh: Virsh, names: readonly string[]): Promise<void> {
  for (const name of names) {
    try {
      await virsh.destroy(name);
      await virsh.undefine(name);
    } catch {
      /* best effort in cleanup */
    }
  }
}

/**
 * A private Linux bridge for migrated guests' NICs: test hosts have no libvirt network (no firewall
 * tools), and a bridge needs nothing else. removeTestBridge is safe in finally blocks.
 */
export async function addTestBridge(name: string): Promise<void> {
  await exec("ip", ["link", "add", "name", name, "type", "bridge"], { timeoutMs: 10_000 });
  await exec("ip", ["link", "set", name, "up"], { timeoutMs: 10_000 });
}

export async function removeTestBridge(name: string): Promise<void> {
  await exec("ip", ["link", "del", name], { timeoutMs: 10_000 }).catch(() => undefined);
}

/**
 * SIGKILL the running libvirtd, as a crash would, and wait until it is gone (guests it started keep running).
 * Only for suites run one file at a time: every test process shares this daemon. startLibvirtd() restarts it.
 */
export async function crashLibvirtd(): Promise<number> {
  const pid = daemonPid("libvirtd");
  if (pid === null) throw new Error("libvirtd is not running");
  process.kill(pid, "SIGKILL");
  await waitFor(async () => !pidAlive(pid), 15_000, "libvirtd to die");
  return pid;
}

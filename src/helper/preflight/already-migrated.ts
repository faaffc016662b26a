// Is this VM migrated (or being migrated) already? A libvirt domain with its uuid or name, a target file or
// device that a process or a defined domain uses, another migration of it in the state root. Each is a
// No-Go with what to do, found before init (a base copy would otherwise fail "in use" or hit the running copy).
import { join } from "node:path";
import { type Manifest } from "../../shared/manifest";
import { V2kError } from "../../shared/v2k-error";
import { type FileHolder, processesHolding } from "../../kit/process";
import { type Virsh } from "../libvirt/virsh";
import { canonicalUuid, defaultDomainName } from "../libvirt/domain-policy";
import { findWorkdirs, readWorkdirManifest } from "../state/workdir-scan";
import { type Check } from "./checks";
import { say } from "../../shared/i18n/lang";

export interface VmIdentity {
  name: string;
  moref: string;
  uuid: string;
  instanceUuid: string | null;
  /** The vCenter it lives in (a moref is unique only within one vCenter). */
  vcenterUrl: string;
}

export interface ExistingDomain {
  name: string;
  uuid: string | null;
  state: string;
  /** How it matched the VM: by its BIOS uuid or by the default domain name. */
  by: "uuid" | "name";
}

export interface DomainDisk {
  domain: string;
  source: string;
}

export interface OtherMigration {
  workdir: string;
  phase: Manifest["phase"];
}

/** The image files init would create under dst (either format), or the block devices given. */
export function candidateTargets(vmName: string, diskCount: number, dst: string, devices?: readonly string[]): string[] {
  if (devices) return [...devices];
  const safe = vmName.replace(/[^A-Za-z0-9._-]/g, "_");
  const out: string[] = [];
  for (let i = 0; i < diskCount; i++) out.push(join(dst, `${safe}-disk${i}.qcow2`), join(dst, `${safe}-disk${i}.raw`));
  return out;
}

export function existingDomainCheck(found: ExistingDomain[] | V2kError): Check {
  const base = { id: "kvm-domain", title: say("No KVM domain of this VM", "이 VM의 KVM 도메인 없음") };
  if (found instanceof V2kError)
    return {
      ...base,
      status: "warn",
      reason: say(`not checked: ${found.code}: ${found.message}`, `확인하지 못함: ${found.code}: ${found.message}`),
    };
  if (found.length === 0)
    return {
      ...base,
      status: "pass",
      reason: say("no libvirt domain with the VM's uuid or name", "VM의 uuid나 이름을 가진 libvirt 도메인 없음"),
    };
  const same = (d: ExistingDomain) => (d.by === "uuid" ? `uuid ${d.uuid ?? ""}` : say("name", "이름"));
  const list = found.map((d) => say(`'${d.name}' (${d.state}, same ${same(d)})`, `'${d.name}' (${d.state}, 같은 ${same(d)})`)).join(", ");
  return {
    ...base,
    status: "fail",
    reason: say(
      `DOMAIN_EXISTS: libvirt domain ${list} exists: the VM looks migrated already. Use that domain, or roll its migration ` +
        "back ('rollback' on its workdir) or remove it (virsh undefine) before migrating again",
      `DOMAIN_EXISTS: libvirt 도메인 ${list}이(가) 있습니다: 이미 마이그레이션된 VM으로 보입니다. 그 도메인을 쓰거나, ` +
        "다시 마이그레이션하기 전에 그 마이그레이션을 롤백('rollback', 해당 작업 디렉터리)하거나 도메인을 지우세요(virsh undefine)",
    ),
  };
}

export function targetsInUseCheck(holders: FileHolder[], domainDisks: DomainDisk[], targets: string[]): Check {
  const base = { id: "target-in-use", title: say("Target disks not in use", "대상 디스크 사용 중 아님") };
  const users = [
    ...holders.map((h) => say(`${h.path} is open in ${h.program} (pid ${h.pid})`, `${h.path}: ${h.program}(pid ${h.pid})이(가) 열어 둠`)),
    ...domainDisks
      .filter((d) => targets.includes(d.source))
      .map((d) => say(`${d.source} is a disk of the libvirt domain '${d.domain}'`, `${d.source}: libvirt 도메인 '${d.domain}'의 디스크`)),
  ];
  if (users.length === 0)
    return {
      ...base,
      status: "pass",
      reason: say("no process or libvirt domain uses the target disks", "대상 디스크를 쓰는 프로세스나 libvirt 도메인 없음"),
    };
  return {
    ...base,
    status: "fail",
    reason: say(
      `TARGET_IN_USE: ${users.join("; ")}. A migrated copy may run on them: choose another target directory, or stop ` +
        "that process / roll back that migration first",
      `TARGET_IN_USE: ${users.join("; ")}. 마이그레이션된 사본이 그 위에서 실행 중일 수 있습니다: 다른 대상 디렉터리를 고르거나, ` +
        "먼저 그 프로세스를 멈추거나 그 마이그레이션을 롤백하세요",
    ),
  };
}

export function otherMigrationsCheck(others: OtherMigration[]): Check {
  const base = { id: "other-migration", title: say("No other migration of this VM", "이 VM의 다른 마이그레이션 없음") };
  if (others.length === 0)
    return {
      ...base,
      status: "pass",
      reason: say("no other migration of this VM in the state root", "상태 루트에 이 VM의 다른 마이그레이션 없음"),
    };
  const list = others.map((o) => `${o.workdir} (${o.phase})`).join(", ");
  return {
    ...base,
    status: "fail",
    reason: say(
      `MIGRATION_EXISTS: ${list}. Continue it with --workdir, or finish or roll it back and clean it up ('cleanup') before a new migration`,
      `MIGRATION_EXISTS: ${list}. --workdir로 이어서 진행하거나, 새 마이그레이션 전에 끝내거나 롤백하고 정리('cleanup')하세요`,
    ),
  };
}

/** Domains matching the VM by BIOS uuid or by the name cutover would give it. */
export async function findExistingDomains(virsh: Virsh, vm: VmIdentity): Promise<ExistingDomain[]> {
  const found: ExistingDomain[] = [];
  const uuid = canonicalUuid(vm.uuid);
  if (uuid) {
    const name = await virsh.run(["domname", uuid]).then(
      (s) => s.trim(),
      () => null,
    );
    if (name) found.push({ name, uuid, state: (await virsh.domState(name)) ?? "unknown", by: "uuid" });
  }
  const byName = defaultDomainName(vm.name);
  if (!found.some((d) => d.name === byName)) {
    const state = await virsh.domState(byName);
    if (state) found.push({ name: byName, uuid: null, state, by: "name" });
  }
  return found;
}

/** Every disk source of every defined domain (files, devices, rbd pool/image). */
export async function domainDisks(virsh: Virsh): Promise<DomainDisk[]> {
  const names = (await virsh.run(["list", "--all", "--name"])).split("\n").map((s) => s.trim());
  const out: DomainDisk[] = [];
  for (const domain of names.filter(Boolean)) {
    const text = await virsh.run(["domblklist", domain, "--details"]).catch(() => ""); // undefined meanwhile
    for (const line of text.split("\n")) {
      const cols = line.trim().split(/\s+/);
      if (cols.length >= 4 && cols[1] === "disk" && cols[3] !== "-") out.push({ domain, source: cols.slice(3).join(" ") });
    }
  }
  return out;
}

/** Unfinished migrations of the same VM (its BIOS uuid, or its moref in the same vCenter) under the state root. */
export async function findOtherMigrations(root: string, vm: VmIdentity): Promise<OtherMigration[]> {
  const out: OtherMigration[] = [];
  for (const workdir of await findWorkdirs(root)) {
    const m = await readWorkdirManifest(workdir).catch(() => null);
    if (!m || m.phase === "cleaned") continue;
    const sameUuid = m.vm.uuid !== "" && m.vm.uuid.toLowerCase() === vm.uuid.toLowerCase();
    const same = sameUuid || (m.vm.moref === vm.moref && m.vcenter.url === vm.vcenterUrl);
    if (same) out.push({ workdir, phase: m.phase });
  }
  return out;
}

/** The three checks; libvirt unreachable turns the domain checks into warnings, never a crash. */
export async function alreadyMigratedChecks(virsh: Virsh, vm: VmIdentity, targets: string[], stateRoot: string): Promise<Check[]> {
  const asError = (e: unknown) => {
    if (e instanceof V2kError) return e;
    throw e;
  };
  const domains = await findExistingDomains(virsh, vm).catch(asError);
  const disks = await domainDisks(virsh).catch(asError);
  const inUse = targetsInUseCheck(processesHolding(targets), disks instanceof V2kError ? [] : disks, targets);
  if (disks instanceof V2kError && inUse.status === "pass") {
    inUse.status = "warn";
    inUse.reason = say(
      `no process holds the targets; libvirt domains not checked: ${disks.code}: ${disks.message}`,
      `대상을 잡고 있는 프로세스 없음. libvirt 도메인은 확인하지 못함: ${disks.code}: ${disks.message}`,
    );
  }
  return [existingDomainCheck(domains), inUse, otherMigrationsCheck(await findOtherMigrations(stateRoot, vm))];
}

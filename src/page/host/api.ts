// Typed host calls, one named-arguments object each. Components and AppState call these, never
// cockpit.spawn. Command lines come from the helper's own option declarations (src/shared/requests):
// the page states a request, requestArgv writes it, and defaults are left to the helper.
import { z } from "zod";
import {
  CbtStatusResult,
  InitResult,
  ListResult,
  NetworksResult,
  PreflightResult,
  StoragePoolsResult,
  VcenterProbeResult,
  VcenterVmsResult,
  VerifyResult,
} from "../../shared/results";
import { type V2kEvent } from "../../shared/events";
import { REQUESTS, targetStorageDecls, vcenterDecls, type RequestName } from "../../shared/requests/commands";
import { requestArgv, type RequestOf } from "../../shared/requests/option";
import { type OptionStep, type OptionTexts } from "../../shared/requests/step-options";
import { cockpit } from "./cockpit";
import { pageConfig } from "./config";
import { runHelper, type HelperRun } from "./helper";
import { startOperation, cancelOperation } from "./operations";

/** What the wizard collects about the vCenter; the password stays in memory and goes to stdin. */
export interface VcenterConnection {
  url: string;
  username: string;
  password: string;
  thumbprint?: string; // confirmed by the admin
}

type RequestFor<N extends RequestName> = RequestOf<(typeof REQUESTS)[N]["decls"]> & { positionals?: string[] };

/** The helper's command line for a request (its words, then the options that differ from the defaults). */
export function commandLine<N extends RequestName>(name: N, request: RequestFor<N>): string[] {
  const { words, decls } = REQUESTS[name];
  return requestArgv(words, decls, request);
}

export function connectionArgs(conn: VcenterConnection): string[] {
  return requestArgv([], vcenterDecls, {
    vcenter: conn.url,
    username: conn.username,
    thumbprint: conn.thumbprint,
    "password-stdin": true,
  });
}

const stdinOf = (conn: VcenterConnection) => conn.password + "\n";
const AnyResult = z.unknown();

export function listMigrations(): HelperRun<ListResult> {
  return runHelper({ args: ["list", "--root", pageConfig().workdirRoot], result: ListResult });
}

export function vcenterProbe(args: { url: string }): HelperRun<VcenterProbeResult> {
  return runHelper({ args: ["vcenter", "probe", "--vcenter", args.url], result: VcenterProbeResult });
}

export function vcenterVms(args: { conn: VcenterConnection }): HelperRun<VcenterVmsResult> {
  return runHelper({ args: ["vcenter", "vms", ...connectionArgs(args.conn)], stdin: stdinOf(args.conn), result: VcenterVmsResult });
}

/** The host's libvirt networks and bridges, and its default for unmapped port groups. */
export function hostNetworks(): HelperRun<NetworksResult> {
  return runHelper({ args: commandLine("storage networks", {}), result: NetworksResult });
}

/** The host's Ceph pools (with the space each can take), or null when the host has no Ceph conf. */
export async function cephPools(): Promise<StoragePoolsResult | null> {
  const conf = pageConfig().cephConf;
  const file = cockpit().file(conf, { superuser: "try" });
  const text = await Promise.resolve(file.read()).catch(() => null);
  file.close();
  if (text === null) return null;
  return runHelper({ args: commandLine("storage pools", { "ceph-conf": conf }), result: StoragePoolsResult }).promise;
}

export interface TargetChoice {
  vm: string;
  /** file: image files under dst; block: one device per disk (dst keeps the domain's files); rbd: images in a Ceph pool. */
  storage: "file" | "block" | "rbd";
  dst: string;
  /** block: the device of each disk, by disk index. */
  devices: string[];
  /** rbd: the pool for images named <vm>-disk<N>. */
  rbdPool: string;
  format: "qcow2" | "raw";
  transport: "vddk" | "http";
  networkMap: Record<string, string>; // port group -> libvirt network or bridge
}

type TargetOptions = RequestOf<typeof targetStorageDecls> & { dst?: string; "target-device"?: string[] };

/** The target's options, the same for preflight and init (file, the default, is not stated). */
export function targetOptions(t: TargetChoice): TargetOptions {
  if (t.storage === "rbd") return { "target-storage": "rbd", "rbd-pool": t.rbdPool, "ceph-conf": pageConfig().cephConf };
  if (t.storage === "block") return { "target-storage": "block", dst: t.dst, "target-device": t.devices.map((dev, i) => `${i}=${dev}`) };
  return { dst: t.dst };
}

/** The `--network-map` value of the wizard's map (absent when nothing is mapped). */
export function networkMapValue(map: Record<string, string>): string[] | undefined {
  const pairs = Object.entries(map)
    .filter(([pg, to]) => pg && to)
    .map(([pg, to]) => `${pg}=${to}`);
  return pairs.length > 0 ? [pairs.join(",")] : undefined;
}

export function preflight(args: {
  conn: VcenterConnection;
  target: TargetChoice;
  onEvent?: (e: V2kEvent) => void;
}): HelperRun<PreflightResult> {
  return runHelper({
    args: [
      ...commandLine("preflight", {
        vm: args.target.vm,
        ...targetOptions(args.target),
        transport: args.target.transport,
        "network-map": networkMapValue(args.target.networkMap),
      }),
      ...connectionArgs(args.conn),
    ],
    stdin: stdinOf(args.conn),
    result: PreflightResult,
    ...(args.onEvent ? { onEvent: args.onEvent } : {}),
  });
}

export function init(args: { conn: VcenterConnection; target: TargetChoice; workdir?: string }): HelperRun<InitResult> {
  return runHelper({
    args: [
      // a file's format is stated even when it is the default: the admin chose it in the wizard (others are raw)
      ...commandLine("init", {
        vm: args.target.vm,
        ...targetOptions(args.target),
        transport: args.target.transport,
        "network-map": networkMapValue(args.target.networkMap),
      }),
      ...(args.target.storage === "file" ? ["--target-format", args.target.format] : []),
      ...connectionArgs(args.conn),
    ],
    ...(args.workdir ? { workdir: args.workdir } : {}),
    stdin: stdinOf(args.conn),
    result: InitResult,
  });
}

/** Short steps run attached and stream their events; `command` is the helper's words and options. */
export function runStep(args: {
  workdir: string;
  command: string[];
  conn?: VcenterConnection;
  onEvent?: (e: V2kEvent) => void;
}): HelperRun<unknown> {
  return runHelper({
    args: [...args.command, ...(args.conn ? connectionArgs(args.conn) : [])],
    workdir: args.workdir,
    ...(args.conn ? { stdin: stdinOf(args.conn) } : {}),
    result: AnyResult,
    ...(args.onEvent ? { onEvent: args.onEvent } : {}),
  });
}

/** One step's options as the admin typed them: `--set NAME=VALUE` each, or `--clear`; the helper records them in the manifest. */
export function stepOptionsArgs(step: OptionStep, texts: OptionTexts): string[] {
  const set = Object.entries(texts).flatMap(([name, v]) =>
    v === true ? [name] : typeof v === "string" && v !== "" ? [`${name}=${v}`] : [],
  );
  return commandLine("step-options", { positionals: [step], ...(set.length > 0 ? { set } : { clear: true }) });
}

export function recordStepOptions(args: { workdir: string; step: OptionStep; texts: OptionTexts }): HelperRun<unknown> {
  return runHelper({ args: stepOptionsArgs(args.step, args.texts), workdir: args.workdir, result: AnyResult });
}

export function verify(args: { workdir: string; mode: "quick" | "full"; conn?: VcenterConnection }): HelperRun<VerifyResult> {
  return runHelper({
    args: [...commandLine("verify", { mode: args.mode }), ...(args.conn ? connectionArgs(args.conn) : [])],
    workdir: args.workdir,
    ...(args.conn ? { stdin: stdinOf(args.conn) } : {}),
    result: VerifyResult,
  });
}

/** CBT as vCenter sees it now (read-only: it answers while a sync runs). */
export function cbtStatus(args: { workdir: string; conn: VcenterConnection }): HelperRun<CbtStatusResult> {
  return runHelper({
    args: [...commandLine("cbt status", {}), ...connectionArgs(args.conn)],
    workdir: args.workdir,
    stdin: stdinOf(args.conn),
    result: CbtStatusResult,
  });
}

/** Long steps (sync, cutover) start detached and are followed through the workdir's files. */
export function startLongStep(args: {
  workdir: string;
  runId: string;
  command: string[];
  conn?: VcenterConnection;
}): Promise<{ unit: string }> {
  return startOperation({
    workdir: args.workdir,
    runId: args.runId,
    args: [...args.command, ...(args.conn ? connectionArgs(args.conn) : [])],
    ...(args.conn ? { stdin: stdinOf(args.conn) } : {}),
  });
}

export { cancelOperation };

export interface CutoverOptions {
  shutdown: "guest" | "poweroff";
  start: boolean;
  networkMap: Record<string, string>;
}
/** A cutover at a chosen moment: rounds go on until then (`run --until cutover --cutover-at`). */
export interface ScheduleOptions extends CutoverOptions {
  /** ISO date-time with an offset (the admin's local time). */
  at: string;
}
export interface RollbackOptions {
  removeDisks: boolean;
}
export interface CleanupOptions {
  deleteTarget: boolean;
}
export interface DeleteOptions {
  deleteTarget: boolean;
}

/** The helper command line of each page action (options only; connection flags are added by the caller). */
export function actionCommand(
  action: "cbt-enable" | "sync-base" | "sync-incr" | "auto-sync" | "verify" | "retry",
  opts?: undefined,
): string[];
export function actionCommand(action: "delete", opts: DeleteOptions): string[];
export function actionCommand(action: "cutover", opts: CutoverOptions): string[];
export function actionCommand(action: "schedule-cutover", opts: ScheduleOptions): string[];
export function actionCommand(action: "start", opts?: undefined): string[];
export function actionCommand(action: "rollback", opts: RollbackOptions): string[];
export function actionCommand(action: "cleanup", opts: CleanupOptions): string[];
export function actionCommand(
  action: string,
  opts?: CutoverOptions | ScheduleOptions | RollbackOptions | CleanupOptions | DeleteOptions,
): string[] {
  switch (action) {
    case "cbt-enable":
      return commandLine("cbt enable", {});
    case "sync-base":
      return commandLine("sync", { positionals: ["base"] });
    case "sync-incr":
      return commandLine("sync", { positionals: ["incr"] });
    // the helper's unattended pipeline: base if needed, then rounds (at its default interval) until its criterion holds
    case "auto-sync":
      return commandLine("run", { until: "synced" });
    case "verify":
      return commandLine("verify", { mode: "quick" });
    case "cutover": {
      const o = opts as CutoverOptions;
      return commandLine("cutover", { shutdown: o.shutdown, start: o.start, "network-map": networkMapValue(o.networkMap) });
    }
    // the helper's pipeline on this workdir: incremental rounds until the moment, then the cutover (run starts by default)
    case "schedule-cutover": {
      const o = opts as ScheduleOptions;
      return commandLine("run", {
        until: "cutover",
        "cutover-at": o.at,
        shutdown: o.shutdown,
        "define-only": !o.start,
        "network-map": networkMapValue(o.networkMap),
      });
    }
    // the map recorded in the manifest (init, the cutover dialog) applies
    case "start":
      return commandLine("cutover", { start: true });
    case "rollback":
      return commandLine("rollback", { "remove-disks": (opts as RollbackOptions).removeDisks });
    case "cleanup":
      return commandLine("cleanup", { "delete-target": (opts as CleanupOptions).deleteTarget });
    // after rollback the helper reopens the run on the next incremental round (same workdir)
    case "retry":
      return commandLine("sync", { positionals: ["incr"] });
    case "delete":
      return commandLine("cleanup", { "remove-workdir": true, "delete-target": (opts as DeleteOptions).deleteTarget });
    default:
      throw new Error(`unknown action ${action}`);
  }
}

/** Actions that may run for minutes run detached; the others run attached and stream their events. */
export function isLongAction(action: string): boolean {
  return ["sync-base", "sync-incr", "auto-sync", "cutover", "schedule-cutover", "start", "retry"].includes(action);
}

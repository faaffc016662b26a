// What the migration steps ask of vSphere, as one interface: the pyvmomi bridge implements it for
// real vCenters, and tests drive the same round, cutover and rollback logic against an in-process
// fake. Steps receive a VsphereApi from their command (injection), never start a bridge themselves.
import { type VcenterVmsResult } from "../../shared/results";
import { type DiskInfo, type InventoryResult, type QcdaResult, type VmStateResult } from "./replies";

export interface VsphereApi {
  /** Times the session was logged in again after an expiry (the data path retries a copy once then). */
  readonly relogins: number;
  /** Every VM the account sees, summarised (the 'vcenter vms' listing). */
  vmList(): Promise<VcenterVmsResult>;
  inventory(vm: { name: string } | { moref: string }): Promise<InventoryResult>;
  /** Power, tools, CBT flag, snapshot tree and consolidation state. */
  vmState(moref: string): Promise<VmStateResult>;
  powerOn(moref: string, timeoutSec?: number): Promise<{ changed: boolean }>;
  powerOff(moref: string, timeoutSec?: number): Promise<{ changed: boolean }>;
  /** Asks VMware Tools to shut the guest down; returns at once (poll vmState for poweredOff). */
  shutdownGuest(moref: string): Promise<{ changed: boolean }>;
  /** Sets changeTrackingEnabled (the disks get a changeId at the next stun). */
  cbtEnable(moref: string): Promise<{ changed: boolean }>;
  snapshotCreate(moref: string, name: string, description: string, timeoutSec?: number): Promise<{ moref: string }>;
  /** Remove (and consolidate) one snapshot by moref; {missing: true} when it no longer exists. */
  snapshotRemove(snapshot: string, timeoutSec?: number): Promise<{ removed: boolean; missing: boolean }>;
  /** The disks as frozen in a snapshot's config (fileName, changeId, capacity). */
  snapshotDisks(snapshot: string): Promise<DiskInfo[]>;
  /** QueryChangedDiskAreas paged to full coverage of [0, capacityBytes) (QCDA_INCOMPLETE otherwise). */
  changedAreas(moref: string, snapshot: string, deviceKey: number, changeId: string, capacityBytes: number): Promise<QcdaResult>;
  /** The session cookie as a Cookie header value (a secret: datastore HTTP access only). */
  sessionCookie(): Promise<string>;
  /** A cheap call that keeps the session alive. */
  ping(): Promise<{ reauthenticated: boolean }>;
  close(): Promise<void>;
}

// vSphere access through pyvmomi. Stable exports:
//   VsphereBridge.connect(access: VcenterAccess, {timeoutMs?, signal?}): Promise<VsphereBridge>
//   withBridge(access, fn: (b) => Promise<T>, options?): Promise<T>   (always closes)
//   bridge.inventory({name}|{moref}), .vmState(moref), .powerOn(moref, timeoutSec?), .powerOff(moref, timeoutSec?),
//   .shutdownGuest(moref), .cbtEnable(moref), .snapshotCreate(moref, name, description), .snapshotRemove(snapMoref),
//   .snapshotDisks(snapMoref), .changedAreas(moref, snap, deviceKey, changeId, capacity), .sessionCookie(), .close()
//   VsphereFault (V2kError with .fault and .op)
export { type VsphereApi } from "./api";
export { VsphereBridge, withBridge, bridgeScriptPath, type BridgeOptions } from "./bridge";
export { VsphereFault, mapBridgeError } from "./faults";
export type { InventoryResult, VmStateResult, DiskInfo, SnapshotNode, QcdaResult } from "./replies";
//   connectVsphere(flags: VcenterFlags, {readStdin, env?, signal?}, known?: manifest.vcenter): Promise<VsphereSession>
//   withVsphere(flags, ctx, known, fn: ({bridge, access, certificate}) => Promise<T>)   (always closes)
export { connectVsphere, withVsphere, type VsphereSession, type VsphereContext } from "./session";

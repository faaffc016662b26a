// Disk access: everything that turns a manifest disk into something to read or write. Sync, verify,
// the boot check and cleanup ask here, so a file, block or RBD target means the same to all of them.
//   targetSpecOf(disk, m, {createSize?}), qemuFilenameOf(disk, m), qemuFormatOf(disk, m)
//   openDiskTarget(disk, m, {size}) -> TargetHandle (swept, created or grown, served writable)
//   openDiskTarget(disk, m, {readOnly: true}) -> SourceHandle (swept, served read-only)
//   targetReadsAsZeros(disk, m, size), sweepTargetLeftovers(disk, m)
//   removeRunTarget(disk, m) -> a file, or an RBD image carrying our run id, removed; block devices kept
//   sourceSpecOf(m, session, fileName, snapshotMoref) -> nbdkit curl or vddk source
//   withSourceRetry(bridge, work, {signal, attempts, backoffMs, onRelogin, onRetry}) -> again after a new
//     vCenter login or, with backoff, after a reset source
export {
  copyTuningFor,
  targetSpecOf,
  qemuFilenameOf,
  qemuFormatOf,
  targetReadsAsZeros,
  sweepTargetLeftovers,
  openDiskTarget,
  removeRunTarget,
  type TargetDisk,
  type TargetManifest,
  type RunManifest,
  type WritableOpen,
  type ReadOnlyOpen,
} from "./target";
export { sourceSpecOf, datastoreFlatUrl, splitDatastorePath } from "./source";
export { stopImageServers, findImageServers } from "./leftovers";
export { withSourceRetry, type ReloginBridge, type SourceRetryOptions, type SourceRetryEvent } from "./source-retry";

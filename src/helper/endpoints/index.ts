// Public surface of the endpoints: specs, openers, interfaces and the in-memory reference disks.
export { type Area, type BufferedArea, type Extent, type BlockSource, type BlockTarget, type TargetCapabilities } from "./types";
export {
  HTTP_SOURCE_CONNECTIONS,
  openSource,
  openTarget,
  openTargetReadOnly,
  isImageInUse,
  type SourceSpec,
  type TargetSpec,
  type NbdUriSpec,
  type SourceHandle,
  type TargetHandle,
  type OpenOptions,
} from "./open";
export { NbdSource, NbdTarget, type NbdEndpointOptions } from "./nbd-endpoints";
export { MemoryDisk, MemorySource, MemoryTarget } from "./memory";
export { type HttpSourceSpec, type VddkSourceSpec, type FileSourceSpec, curlArgs, vddkArgs, requireNbdkitPlugin } from "./nbdkit";
export {
  type QemuTargetSpec,
  type FileTargetSpec,
  type BlockTargetSpec,
  type RbdTargetSpec,
  type CacheMode,
  ensureImage,
  growImage,
  imageSize,
  qemuFilename,
  qemuFormat,
  qemuNbdArgs,
  qemuNbdTuningLadder,
} from "./qemu-nbd";
export { PrivateDir, ManagedDaemon, sweepStalePrivateDirs } from "./daemon";
export { PooledSource, PooledTarget } from "./pool";

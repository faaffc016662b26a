// Public surface of the copy engine.
export { copyDisk, COPY_DEFAULTS, type CopyOptions, type CopyStats } from "./copy";
export { type CopyProgress } from "./progress";
export {
  planRanges,
  normalizeAreas,
  coalesceAreas,
  complementAreas,
  splitRange,
  refineWithExtents,
  totalBytes,
  type PlanOp,
  type PlanRange,
} from "./plan";
export { isZero, zeroRuns } from "./zero-detect";

// Public surface of the copy engine.
export { copyDisk, COPY_DEFAULTS, type CopyOptions, type CopyStats } from "./copy";
export { type CopyProgress } from "./progress";
export { MemoryBudget, BudgetShare, processCopyBudget, PROCESS_COPY_BUDGET, type ShareRequest } from "./memory-budget";
export { Executor, withExecutor, type ExecutorOptions, type ExecutorStats } from "./executor";
export { endpointError, type EndpointRole, type EndpointErrorContext } from "./endpoint-error";
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

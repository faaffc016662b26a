// Snapshot + sync rounds. Stable exports for cutover and run:
//   runRound(wd: Workdir, session: VsphereSession, {kind: "base"|"incr"|"final", jobs?, chunkSize?, coalesceGap?, signal?}): Promise<RoundSummary>
//     resumes an open round of that kind, supersedes an open round of another kind; removes its snapshot at the end
//     and on failure (no leftover snapshot of ours); phase becomes base-synced / incr-synced / final-synced.
//   prepareRound(wd, bridge, kind, step): the round's snapshot only (the `snapshot` command)
//   settleOwnSnapshots(wd, bridge, step, keep?): remove every open snapshot of ours (by recorded moref)
//   removeOwnSnapshot(wd, bridge, name, step), openSnapshots(manifest)
//   cbtEnable(wd, bridge), cbtStatus(wd, bridge)
//   statusOf(workdir, manifest): RunStatus
export { runRound, prepareRound, type RoundOptions, type RoundSummary } from "./round";
export {
  settleOwnSnapshots,
  removeOwnSnapshot,
  ensureOwnSnapshot,
  openSnapshots,
  roundSnapshotName,
  type RoundKind,
} from "./own-snapshots";
export { cbtEnable, cbtStatus, type CbtStatus } from "./cbt";
export { statusOf, renderStatus, type RunStatus } from "./status";
export { changeIdEpoch } from "./disk-round";

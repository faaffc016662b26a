// Snapshot + sync rounds. Stable exports for cutover and run:
//   runRound(wd: Workdir, session: VsphereSession, {kind: "base"|"incr"|"final", jobs?, chunkSize?, coalesceGap?, signal?}): Promise<RoundSummary>
//     resumes an open round of that kind, supersedes an open round of another kind; removes its snapshot at the end
//     and on failure (no leftover snapshot of ours); phase becomes base-synced / incr-synced / final-synced.
//   runRoundWith(wd, {api: VsphereApi, data: DiskDataPath}, options): the same with vSphere and the data side injected
//   planDiskRound(api, manifest, snapshot, diskKey, snapDisk): incremental or full re-read (rebase), and the areas
//   prepareRound(wd, api, kind, step): the round's snapshot only (the `snapshot` command)
//   settleOwnSnapshots(wd, api, step, keep?): remove every open snapshot of ours (by recorded moref)
//   removeOwnSnapshot(wd, api, name, step), openSnapshots(manifest)
//   cbtEnable(wd, api), cbtStatus(wd, api)
//   statusOf(workdir, manifest): RunStatus
export { runRound, runRoundWith, prepareRound, type RoundDeps, type RoundOptions, type RoundSummary } from "./round";
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
export { changeIdEpoch, planDiskRound, snapshotDataPath, type DiskDataPath, type DiskRoundPlan, type CopyMode } from "./disk-round";

// Where a round's wall time goes (snapshot task, QCDA, servers, copy, commits, removal) and how many
// bytes it read: the round event carries both, so the fixed cost of a round is visible in events.log
// (and `make bench` reads it from there). Disks run in parallel: their phases are summed over disks.
export type RoundPhase =
  | "snapshot" // the round's snapshot: intent, create task, manifest
  | "prepare" // snapshot checks, round status, the snapshot's disk list
  | "qcda" // per disk: changed-area queries and the disk's round record
  | "serversUp" // per disk: source and target opened (nbdkit / qemu-nbd started, NBD handshakes)
  | "copy" // per disk: the engine's copy and flush
  | "serversDown" // per disk: source and target closed
  | "commit" // per disk: changeId committed; then the round marked synced
  | "snapshotRemove"; // the removal task and its record

export class RoundMeter {
  private readonly ms = new Map<RoundPhase, number>();
  bytesRead = 0;

  add(phase: RoundPhase, ms: number): void {
    this.ms.set(phase, (this.ms.get(phase) ?? 0) + ms);
  }

  /** Runs `work`, counting its time (success or failure) to `phase`. */
  async time<T>(phase: RoundPhase, work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.add(phase, performance.now() - started);
    }
  }

  /** Milliseconds per phase, rounded, in the order the phases first ran. */
  phasesMs(): Record<string, number> {
    return Object.fromEntries([...this.ms].map(([k, v]) => [k, Math.round(v)]));
  }
}

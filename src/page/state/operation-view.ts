// Whether the last background operation's failure is still news: a command that ran after it (a rollback
// from the page or the CLI, any later manifest write) makes its "exit code N" banner stale.
import { type Manifest } from "../../shared/manifest";
import { type OperationRecord } from "../../shared/results";

export function operationFailureToShow(m: Manifest, op: OperationRecord | null): OperationRecord | null {
  if (!op || op.exitCode === undefined || op.exitCode === 0 || op.cancelled) return null;
  if (m.lastError) return null; // the manifest's own error says more
  const since = Date.parse(op.finishedAt ?? op.startedAt);
  if (m.rollback && Date.parse(m.rollback.at) >= Date.parse(op.startedAt)) return null;
  if (Number.isFinite(since) && Date.parse(m.updatedAt) > since) return null;
  return op;
}

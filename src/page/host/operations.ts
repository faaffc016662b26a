// Long operations (sync, cutover, run) outlive the browser tab: they run as a transient systemd unit
// named after the workdir when systemd is PID 1, else as a detached session (setsid). Either way a
// small supervisor records {command, pid, startedAt} in <workdir>/operation.json and, when the helper
// ends, its exitCode and finishedAt; the page re-attaches by watching that file and events.log.
// Secrets reach the helper on stdin: the supervisor hands its stdin to the helper.
import { cockpit } from "./cockpit";
import { fromSpawnFailure } from "./helper-error";
import { commandWords, helperArgv, helperEnviron } from "./helper";

/** Runs in the unit or the detached session: $1 workdir, $2 label, then the helper's argv. */
export const SUPERVISOR_SCRIPT = `
wd=$1; label=$2; shift 2
exec 3<&0
"$@" <&3 >/dev/null 2>>"$wd/detached.log" &
pid=$!
exec 3<&-
now() { date -u +%Y-%m-%dT%H:%M:%SZ; }
started=$(now)
record() { printf '%s\\n' "$1" > "$wd/operation.json.tmp" && mv -f "$wd/operation.json.tmp" "$wd/operation.json"; }
record "{\\"command\\":\\"$label\\",\\"pid\\":$pid,\\"unit\\":\\"$UNIT\\",\\"startedAt\\":\\"$started\\"}"
wait "$pid"; rc=$?
record "{\\"command\\":\\"$label\\",\\"pid\\":$pid,\\"unit\\":\\"$UNIT\\",\\"startedAt\\":\\"$started\\",\\"finishedAt\\":\\"$(now)\\",\\"exitCode\\":$rc}"
`;

/** Chooses systemd-run or setsid; $1 unit, $2 workdir, $3 label, then the helper's argv. */
export const LAUNCH_SCRIPT = `
unit=$1; wd=$2; label=$3; shift 3
umask 077
if [ -d /run/systemd/system ] && command -v systemd-run >/dev/null 2>&1; then
  stdin=$(mktemp "$wd/.stdin.XXXXXX") || exit 1
  cat > "$stdin"
  systemd-run --unit "$unit" --collect --quiet -p Type=exec -p StandardInput=file:"$stdin" \\
    -p StandardOutput=null -p StandardError=null --setenv=UNIT="$unit" -- /bin/sh -c "$SUPERVISOR" sh "$wd" "$label" "$@"
  rc=$?
  rm -f "$stdin"
  exit $rc
fi
# Read all of stdin first (printf is a builtin: the secret never reaches an argv), then hand it over
# through a pipe whose buffer holds it until the helper reads.
input=$(cat; echo x); input=\${input%x}
printf '%s' "$input" | UNIT= setsid -f /bin/sh -c "$SUPERVISOR" sh "$wd" "$label" "$@" >/dev/null 2>&1
`;

/** Transient unit names allow [a-zA-Z0-9:_.\\-]; other characters become '_'. */
export function unitName(runId: string, label: string): string {
  return `ablestack-v2k-${runId}-${label}`.replace(/[^a-zA-Z0-9:_.-]/g, "_");
}

export interface StartOperationRequest {
  workdir: string;
  runId: string;
  /** The helper command and its options, e.g. ["sync", "incr"]. */
  args: string[];
  stdin?: string;
}

export async function startOperation(req: StartOperationRequest): Promise<{ unit: string }> {
  const label = commandWords(req.args).join(" ");
  const unit = unitName(req.runId, label.replace(/ /g, "-"));
  const argv = ["/bin/sh", "-c", LAUNCH_SCRIPT, "sh", unit, req.workdir, label, ...helperArgv(req.args, req.workdir)];
  const proc = cockpit().spawn(argv, { superuser: "require", err: "message", environ: [`SUPERVISOR=${SUPERVISOR_SCRIPT}`, ...helperEnviron()] });
  proc.input(req.stdin ?? "");
  await new Promise<void>((resolve, reject) => {
    proc.then(() => resolve(), (e) => reject(fromSpawnFailure("ablestack_v2k " + label, e, "")));
  });
  return { unit };
}

/**
 * Stops the running operation of a workdir: SIGTERM (the helper stops cleanly and leaves the workdir
 * resumable), then SIGKILL if it is still there after the grace period (a killed helper is resumable
 * too: the next run takes over its stale lock and settles its snapshot).
 */
export const CANCEL_SCRIPT = `
pid=$(sed -n 's/.*"pid":\\([0-9]*\\).*/\\1/p' "$1/operation.json")
[ -n "$pid" ] || exit 0
kill -TERM "$pid" 2>/dev/null || exit 0
i=0
while kill -0 "$pid" 2>/dev/null && [ "$i" -lt "$2" ]; do sleep 0.1; i=$((i+1)); done
if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid"; fi
exit 0
`;

export async function cancelOperation(workdir: string, graceTenths = 100): Promise<void> {
  const proc = cockpit().spawn(["/bin/sh", "-c", CANCEL_SCRIPT, "sh", workdir, String(graceTenths)], { superuser: "require", err: "message" });
  await new Promise<void>((resolve, reject) => {
    proc.then(() => resolve(), (e) => reject(fromSpawnFailure("cancel", e, "")));
  });
}

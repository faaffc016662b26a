// Notices: a long step that ended (finished, failed or cancelled) while the admin may be looking
// elsewhere. Shown as toasts in the page and as the page's status in the Cockpit shell's menu, so a
// base copy that fails at night is seen at the next glance at Cockpit, whatever page is open.
import { type ErrorInfo } from "../../shared/errors";
import { type ListedMigration, type OperationRecord } from "../../shared/results";
import { _, format } from "../i18n";
import { errorSummary } from "../labels";
import { shownHint } from "../error-hints";

export interface Notice {
  /** One per ended step: the workdir, the command and when it started. */
  key: string;
  variant: "success" | "danger" | "info";
  title: string;
  detail: string;
  workdir: string;
}

function noticeOf(
  vm: string,
  workdir: string,
  command: string,
  startedAt: string,
  outcome: "done" | "failed" | "cancelled",
  error: ErrorInfo | null,
): Notice {
  const key = `${workdir}\n${command}\n${startedAt}`;
  if (outcome === "cancelled")
    return {
      key,
      variant: "info",
      title: format(_("$0: $1 was cancelled"), vm, command),
      detail: _("Run it again to continue from the workdir."),
      workdir,
    };
  if (outcome === "failed")
    return {
      key,
      variant: "danger",
      title: format(_("$0: $1 failed"), vm, command),
      detail: error ? `${errorSummary(error.code)}: ${shownHint(error)}` : _("Open the migration for its events."),
      workdir,
    };
  return { key, variant: "success", title: format(_("$0: $1 finished"), vm, command), detail: "", workdir };
}

/** The open migration's operation.json went from running to ended. */
export function operationEndedNotice(
  vm: string,
  workdir: string,
  before: OperationRecord | null,
  after: OperationRecord | null,
  lastError: ErrorInfo | null,
): Notice | null {
  if (!before || before.exitCode !== undefined || !after || after.exitCode === undefined) return null;
  if (after.startedAt !== before.startedAt) return null; // another launch: its own start is news, not an end
  const outcome = after.cancelled ? "cancelled" : after.exitCode === 0 ? "done" : "failed";
  return noticeOf(vm, workdir, after.command, after.startedAt, outcome, outcome === "failed" ? lastError : null);
}

/** Migrations the previous list saw running and this one sees idle (started here, in another tab or a terminal). */
export function listEndedNotices(before: ListedMigration[], after: ListedMigration[]): Notice[] {
  const out: Notice[] = [];
  for (const prev of before) {
    if (!prev.running) continue;
    const now = after.find((m) => m.workdir === prev.workdir);
    if (!now || now.running) continue;
    const error = now.manifest.lastError;
    const failed = error !== null && error.code !== "CANCELLED";
    const outcome = error?.code === "CANCELLED" ? "cancelled" : failed ? "failed" : "done";
    out.push(noticeOf(now.manifest.vm.name, now.workdir, prev.running.command, prev.running.startedAt ?? "", outcome, error));
  }
  return out;
}

/** What the shell shows beside the page's name: the worst notice not yet dismissed. */
export function pageStatusOf(notices: Notice[]): { type: "error" | "info"; title: string } | null {
  if (notices.length === 0) return null;
  const failed = notices.filter((n) => n.variant === "danger");
  const shown = failed.length > 0 ? failed : notices;
  const title = shown.length === 1 ? shown[0]!.title : format(_("$0 migration steps ended; open the page for details"), notices.length);
  return { type: failed.length > 0 ? "error" : "info", title };
}

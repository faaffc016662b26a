// Changed block tracking where the admin looks for it: what the migration recorded, and on demand what vCenter
// says now per disk (`cbt status`), beside the changeId the target holds: tracking, not active, or reset (the
// next round copies that disk in full).
import { useState } from "react";
import { type ErrorInfo } from "../../../shared/errors";
import { type Manifest } from "../../../shared/manifest";
import { type CbtStatusResult } from "../../../shared/results";
import * as api from "../../host/api";
import { toHelperError } from "../../host/helper-error";
import { _, format } from "../../i18n";
import { formatClock, formatTime } from "../../format";
import { cbtDiskRows, type CbtDiskState } from "../../state/cbt-view";
import { Button, Label } from "../../pf";
import { ErrorAlert } from "../ErrorAlert";
import { ActionDialog } from "../dialogs/ActionDialog";

function stateLabel(state: CbtDiskState) {
  switch (state) {
    case "tracking":
      return <Label color="green">{_("tracking changes")}</Label>;
    case "not-synced":
      return <Label color="blue">{_("active, not copied yet")}</Label>;
    case "not-active":
      return <Label color="orange">{_("not active")}</Label>;
    case "reset":
      return <Label color="orange">{_("reset since the last round: the next round copies this disk in full")}</Label>;
    case "rebase-pending":
      return <Label color="orange">{_("the next round copies this disk in full")}</Label>;
  }
}

function Checked({ manifest, status, at }: { manifest: Manifest; status: CbtStatusResult; at: string }) {
  return (
    <div id="v2k-cbt-status" data-enabled={status.enabled} data-active={status.active}>
      <p>
        {status.enabled ? _("CBT is enabled on the VM.") : _("CBT is not enabled on the VM.")}{" "}
        <span className="v2k-muted">{format(_("Checked at $0"), formatClock(at))}</span>
      </p>
      <ul className="v2k-cbt-disks">
        {cbtDiskRows(manifest, status).map((r) => (
          <li key={r.key} data-disk={r.key} data-state={r.state}>
            <strong>{r.label}</strong> {stateLabel(r.state)}
            <br />
            <span className="v2k-muted">{_("vCenter now")}:</span> <code>{r.changeId ?? "-"}</code>
            <br />
            <span className="v2k-muted">{_("Copied to the target")}:</span> <code>{r.syncedChangeId ?? "-"}</code>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function CbtStatus(props: {
  manifest: Manifest;
  workdir: string;
  conn: api.VcenterConnection | undefined;
  remember(conn: api.VcenterConnection): void;
}) {
  const { manifest, workdir } = props;
  // the password typed here serves the next check at once (the page keeps it too, for its actions)
  const [typed, setTyped] = useState<api.VcenterConnection | undefined>(undefined);
  const conn = props.conn ?? typed;
  const [result, setResult] = useState<{ status: CbtStatusResult; at: string } | null>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [busy, setBusy] = useState(false);
  const [asking, setAsking] = useState(false);
  const check = async (c: api.VcenterConnection) => {
    setBusy(true);
    setError(null);
    try {
      const status = await api.cbtStatus({ workdir, conn: c }).promise;
      props.remember(c);
      setTyped(c);
      setResult({ status, at: new Date().toISOString() });
    } catch (e) {
      setError(toHelperError(e).info);
      throw e;
    } finally {
      setBusy(false);
    }
  };
  const recorded = manifest.cbt.enabledByUs
    ? format(_("Enabled by this migration at $0."), formatTime(manifest.cbt.enabledAt))
    : _("Not enabled by this migration (it was on already, or is not yet).");
  return (
    <div id="v2k-cbt">
      <p id="v2k-cbt-recorded">{recorded}</p>
      {result && <Checked manifest={manifest} status={result.status} at={result.at} />}
      {error && !asking && <ErrorAlert error={error} />}
      <Button
        variant="secondary"
        id="v2k-cbt-check"
        isLoading={busy}
        isDisabled={busy}
        onClick={() => (conn ? void check(conn).catch(() => undefined) : setAsking(true))}
      >
        {result ? _("Check again") : _("Check CBT status")}
      </Button>
      {asking && (
        <ActionDialog
          id="v2k-cbt-dialog"
          title={_("Check CBT status")}
          confirmLabel={_("Check")}
          manifest={manifest}
          conn={undefined}
          onConfirm={check}
          onClose={() => setAsking(false)}
        >
          <p>{_("The helper asks vCenter for the VM's change tracking and each disk's changeId; nothing is changed.")}</p>
        </ActionDialog>
      )}
    </div>
  );
}

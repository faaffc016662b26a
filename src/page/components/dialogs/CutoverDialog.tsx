// Cutover: says what will happen (guest shutdown, final sync, define/start) and asks to confirm.
import { type Manifest } from "../../../shared/manifest";
import { type CutoverOptions } from "../../host/api";
import { _, format } from "../../i18n";
import { formatDuration, formatRate } from "../../format";
import { estimateDowntime } from "./downtime-estimate";
import { Content } from "../../pf";
import { ActionDialog, confirmWith, type ActionDialogOf } from "./ActionDialog";
import { CutoverChoices, useCutoverChoices } from "./CutoverChoices";

export function CutoverSteps({ shutdown, start }: { shutdown: CutoverOptions["shutdown"]; start: boolean }) {
  return (
    <ol>
      <li>
        {shutdown === "guest"
          ? _("The guest is shut down through VMware Tools (the VM is unavailable from here on).")
          : _("The VM is powered off without a guest shutdown.")}
      </li>
      <li>{_("The helper checks that the VMware VM is really off, then takes a final snapshot and copies the last changes.")}</li>
      <li>{_("The KVM domain is defined in libvirt with the same CPUs, memory, disks and MAC addresses.")}</li>
      <li>
        {start ? _("The KVM domain is started.") : _("The KVM domain is left defined but not started, so its disks can be verified first.")}
      </li>
    </ol>
  );
}

export function DowntimeNote({ manifest, guestShutdown }: { manifest: Manifest; guestShutdown: boolean }) {
  const e = estimateDowntime(manifest);
  if (!e) return <p id="v2k-cutover-downtime">{_("Estimated downtime: unknown until an incremental round has run.")}</p>;
  return (
    <p id="v2k-cutover-downtime" data-ms={Math.round(e.ms)}>
      <strong>{format(_("Estimated downtime: about $0"), formatDuration(e.ms))}</strong>{" "}
      {e.bytesPerSecond !== null
        ? format(_("(the last $0 rounds took this long on average, copying at $1)"), e.rounds, formatRate(e.bytesPerSecond))
        : format(_("(the last $0 rounds took this long on average)"), e.rounds)}
      {guestShutdown ? ` ${_("plus the guest's shutdown.")}` : ""}
    </p>
  );
}

export function CutoverDialog(props: ActionDialogOf<CutoverOptions>) {
  const { manifest } = props;
  const choices = useCutoverChoices(manifest);
  return (
    <ActionDialog
      id="v2k-cutover-dialog"
      title={_("Cut over to KVM")}
      confirmLabel={_("Cut over")}
      danger
      {...confirmWith(props, () => choices.options())}
    >
      <Content>
        <p>{_("This stops the VM on VMware and brings it up on this host:")}</p>
        <CutoverSteps shutdown={choices.shutdown} start={choices.start} />
        <p>{_("The VMware VM and its disks are kept: a rollback powers it on again.")}</p>
        <DowntimeNote manifest={manifest} guestShutdown={choices.shutdown === "guest"} />
      </Content>
      <CutoverChoices id="v2k-cutover" manifest={manifest} choices={choices} />
    </ActionDialog>
  );
}

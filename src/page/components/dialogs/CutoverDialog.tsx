// Cutover: says what will happen (guest shutdown, final sync, define/start) and asks to confirm.
import { useState } from "react";
import { type Manifest } from "../../../shared/manifest";
import { type CutoverOptions, type VcenterConnection } from "../../host/api";
import { _, format } from "../../i18n";
import { formatDuration, formatRate } from "../../format";
import { estimateDowntime } from "./downtime-estimate";
import { Alert, Checkbox, Content, Radio, FormGroup } from "../../pf";
import { NetworkMapFields, useHostNetworks, withHostDefault } from "../NetworkMapFields";
import { ActionDialog } from "./ActionDialog";
import { defaultShutdown } from "./cutover-defaults";

function DowntimeNote({ manifest, guestShutdown }: { manifest: Manifest; guestShutdown: boolean }) {
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

export function CutoverDialog({
  manifest,
  conn,
  onConfirm,
  onClose,
}: {
  manifest: Manifest;
  conn: VcenterConnection | undefined;
  onConfirm(opts: CutoverOptions, conn: VcenterConnection): Promise<void>;
  onClose(): void;
}) {
  const [shutdown, setShutdown] = useState<"guest" | "poweroff">(defaultShutdown(manifest));
  const [start, setStart] = useState(false);
  const networks = [...new Set(manifest.nics.map((n) => n.network))];
  // the map recorded at init (or by an earlier cutover); the helper saves what is confirmed here
  const [map, setMap] = useState<Record<string, string>>(manifest.networkMap ?? {});
  const { choices, error } = useHostNetworks();

  return (
    <ActionDialog
      id="v2k-cutover-dialog"
      title={_("Cut over to KVM")}
      confirmLabel={_("Cut over")}
      danger
      manifest={manifest}
      conn={conn}
      onClose={onClose}
      onConfirm={(c) => onConfirm({ shutdown, start, networkMap: withHostDefault(networks, map, choices) }, c)}
    >
      <Content>
        <p>{_("This stops the VM on VMware and brings it up on this host:")}</p>
        <ol>
          <li>
            {shutdown === "guest"
              ? _("The guest is shut down through VMware Tools (the VM is unavailable from here on).")
              : _("The VM is powered off without a guest shutdown.")}
          </li>
          <li>{_("The helper checks that the VMware VM is really off, then takes a final snapshot and copies the last changes.")}</li>
          <li>{_("The KVM domain is defined in libvirt with the same CPUs, memory, disks and MAC addresses.")}</li>
          <li>
            {start
              ? _("The KVM domain is started.")
              : _("The KVM domain is left defined but not started, so its disks can be verified first.")}
          </li>
        </ol>
        <p>{_("The VMware VM and its disks are kept: a rollback powers it on again.")}</p>
        <DowntimeNote manifest={manifest} guestShutdown={shutdown === "guest"} />
      </Content>
      {manifest.vm.toolsRunningAtInit === false && (
        <Alert
          variant="warning"
          isInline
          id="v2k-cutover-no-tools"
          title={_("VMware Tools were not running in this VM: a guest shutdown is not possible, so it will be powered off.")}
        />
      )}
      <FormGroup label={_("Shutdown")} role="radiogroup" fieldId="v2k-cutover-shutdown" isInline className="v2k-cutover-options">
        <Radio
          id="v2k-cutover-guest"
          name="v2k-cutover-shutdown"
          label={_("Guest shutdown")}
          isChecked={shutdown === "guest"}
          onChange={() => setShutdown("guest")}
        />
        <Radio
          id="v2k-cutover-poweroff"
          name="v2k-cutover-shutdown"
          label={_("Power off")}
          isChecked={shutdown === "poweroff"}
          onChange={() => setShutdown("poweroff")}
        />
      </FormGroup>
      <Checkbox id="v2k-cutover-start" label={_("Start the KVM domain")} isChecked={start} onChange={(_e, v) => setStart(v)} />
      {networks.length > 0 && (
        <NetworkMapFields idPrefix="v2k-cutover-net" portGroups={networks} map={map} choices={choices} error={error} onChange={setMap} />
      )}
    </ActionDialog>
  );
}

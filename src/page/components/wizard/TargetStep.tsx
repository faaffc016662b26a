// Step 3: where and how the disks land on this host, and how the VM's networks map to libvirt.
import { _ } from "../../i18n";
import { Form, FormGroup, FormSelect, FormSelectOption, HelperText, HelperTextItem, TextInput } from "../../pf";
import { type StepProps, vmNetworks } from "./wizard-data";
import { useEffect } from "react";
import { NetworkMapFields, useHostNetworks, withHostDefault } from "../NetworkMapFields";
import { BlockDeviceFields, RbdPoolFields, StorageChoice, useCephPools } from "./StorageFields";

export function TargetStep({ data, update }: StepProps) {
  const networks = vmNetworks(data);
  const { choices, error } = useHostNetworks();
  const ceph = useCephPools();
  // the host default becomes the wizard's choice once known, so preflight and init state it explicitly
  useEffect(() => {
    if (!choices) return;
    const filled = withHostDefault(networks, data.networkMap, choices);
    if (Object.keys(filled).some((pg) => data.networkMap[pg] !== filled[pg])) update({ networkMap: filled });
  }, [choices]); // eslint-disable-line react-hooks/exhaustive-deps
  return (
    <Form id="v2k-step-target" onSubmit={(e) => e.preventDefault()}>
      <StorageChoice data={data} update={update} withRbd={!!ceph.pools} />
      {data.storage !== "rbd" && (
        <FormGroup label={_("Destination directory")} isRequired fieldId="v2k-dst">
          <TextInput id="v2k-dst" value={data.dst} isRequired onChange={(_e, v) => update({ dst: v, dstEdited: true, preflight: null })} />
          <HelperText>
            <HelperTextItem>
              {data.storage === "file"
                ? _("The KVM disk images are written here.")
                : _("The domain's definition and firmware variables are kept here.")}
            </HelperTextItem>
          </HelperText>
        </FormGroup>
      )}
      {data.storage === "block" && <BlockDeviceFields data={data} update={update} />}
      {data.storage === "rbd" && ceph.pools && <RbdPoolFields data={data} update={update} pools={ceph.pools} error={ceph.error} />}
      {data.storage === "file" && (
        <ChoiceField
          id="v2k-format"
          label={_("Disk format")}
          value={data.format}
          options={[
            ["qcow2", _("qcow2 (thin, snapshots)")],
            ["raw", _("raw (fastest)")],
          ]}
          onChange={(v) => update({ format: v === "raw" ? "raw" : "qcow2", preflight: null })}
        />
      )}
      <ChoiceField
        id="v2k-transport"
        label={_("Transport")}
        value={data.transport}
        options={[
          ["http", _("HTTPS datastore access (no VDDK needed)")],
          ["vddk", _("VDDK (nbdkit vddk plugin)")],
        ]}
        onChange={(v) => update({ transport: v === "vddk" ? "vddk" : "http", preflight: null })}
      />
      {networks.length > 0 && (
        <NetworkMapFields
          idPrefix="v2k-netmap"
          portGroups={networks}
          map={data.networkMap}
          choices={choices}
          error={error}
          onChange={(networkMap) => update({ networkMap, preflight: null })}
        />
      )}
    </Form>
  );
}

/** A labelled dropdown of fixed choices ([value, label] pairs). */
function ChoiceField(props: { id: string; label: string; value: string; options: [string, string][]; onChange: (v: string) => void }) {
  return (
    <FormGroup label={props.label} fieldId={props.id}>
      <FormSelect id={props.id} value={props.value} onChange={(_e, v) => props.onChange(v)}>
        {props.options.map(([value, label]) => (
          <FormSelectOption key={value} value={value} label={label} />
        ))}
      </FormSelect>
    </FormGroup>
  );
}

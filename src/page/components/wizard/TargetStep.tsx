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
        <FormGroup label={_("Disk format")} fieldId="v2k-format">
          <FormSelect
            id="v2k-format"
            value={data.format}
            onChange={(_e, v) => update({ format: v === "raw" ? "raw" : "qcow2", preflight: null })}
          >
            <FormSelectOption value="qcow2" label={_("qcow2 (thin, snapshots)")} />
            <FormSelectOption value="raw" label={_("raw (fastest)")} />
          </FormSelect>
        </FormGroup>
      )}
      <FormGroup label={_("Transport")} fieldId="v2k-transport">
        <FormSelect
          id="v2k-transport"
          value={data.transport}
          onChange={(_e, v) => update({ transport: v === "vddk" ? "vddk" : "http", preflight: null })}
        >
          <FormSelectOption value="http" label={_("HTTPS datastore access (no VDDK needed)")} />
          <FormSelectOption value="vddk" label={_("VDDK (nbdkit vddk plugin)")} />
        </FormSelect>
      </FormGroup>
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

// Step 3: where and how the disks land on this host, and how the VM's networks map to libvirt.
import { _ } from "../../i18n";
import { Form, FormGroup, FormSelect, FormSelectOption, HelperText, HelperTextItem, TextInput } from "../../pf";
import { type StepProps, type WizardData } from "./wizard-data";

export function vmNetworks(d: WizardData): string[] {
  return d.vms?.find((vm) => vm.name === d.vmName)?.networks ?? [];
}

export function TargetStep({ data, update }: StepProps) {
  const networks = vmNetworks(data);
  return (
    <Form id="v2k-step-target" onSubmit={(e) => e.preventDefault()}>
      <FormGroup label={_("Destination directory")} isRequired fieldId="v2k-dst">
        <TextInput id="v2k-dst" value={data.dst} isRequired onChange={(_e, v) => update({ dst: v, dstEdited: true, preflight: null })} />
        <HelperText>
          <HelperTextItem>{_("The KVM disk images are written here.")}</HelperTextItem>
        </HelperText>
      </FormGroup>
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
        <FormGroup label={_("Network mapping")} fieldId="v2k-netmap" role="group">
          {networks.map((pg) => (
            <FormGroup key={pg} label={pg} fieldId={`v2k-netmap-${pg}`}>
              <TextInput
                id={`v2k-netmap-${pg}`}
                value={data.networkMap[pg] ?? "network:default"}
                aria-label={pg}
                onChange={(_e, v) => update({ networkMap: { ...data.networkMap, [pg]: v } })}
              />
            </FormGroup>
          ))}
          <HelperText>
            <HelperTextItem>
              {_("A bridge (br0) or a libvirt network (network:NAME) for each VMware port group; used at cutover.")}
            </HelperTextItem>
          </HelperText>
        </FormGroup>
      )}
    </Form>
  );
}

export function targetStepDone(d: WizardData): boolean {
  return d.dst.startsWith("/");
}

/** Port group -> network for every network of the VM ("network:default" unless changed). */
export function effectiveNetworkMap(d: WizardData): Record<string, string> {
  return Object.fromEntries(vmNetworks(d).map((pg) => [pg, d.networkMap[pg] ?? "network:default"]));
}

// Step 2: browse and search the vCenter's VMs (power state, disks, sizes) and pick one.
import { useEffect, useState } from "react";
import { type ErrorInfo } from "../../../shared/errors";
import * as api from "../../host/api";
import { toHelperError } from "../../host/helper-error";
import { _ } from "../../i18n";
import { formatBytes } from "../../format";
import { Label, Radio, SearchInput, Spinner, FormGroup, TextInput } from "../../pf";
import { ErrorAlert } from "../ErrorAlert";
import { defaultDestination, type StepProps, type WizardData } from "./wizard-data";

export function connectionOf(d: WizardData): api.VcenterConnection {
  return { url: d.url, username: d.username, password: d.password, ...(d.probe ? { thumbprint: d.probe.thumbprint } : {}) };
}

export function VmStep({ data, update }: StepProps) {
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [filter, setFilter] = useState("");

  useEffect(() => {
    if (data.vms !== null) return;
    const run = api.vcenterVms({ conn: connectionOf(data) });
    run.promise.then(
      (r) => update({ vms: r.vms }),
      (e) => setError(toHelperError(e).info),
    );
    return () => run.cancel();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [data.vms]);

  const choose = (name: string) =>
    update({ vmName: name, ...(data.dstEdited ? {} : { dst: defaultDestination(name) }), preflight: null, networkMap: {} });
  const vms = (data.vms ?? []).filter((vm) => vm.name.toLowerCase().includes(filter.toLowerCase()));

  return (
    <div id="v2k-step-vm">
      {error && <ErrorAlert error={error} />}
      {error && (
        <FormGroup label={_("VM name")} fieldId="v2k-vm-name">
          <TextInput id="v2k-vm-name" value={data.vmName} onChange={(_e, v) => choose(v)} />
        </FormGroup>
      )}
      {!error && data.vms === null && <Spinner aria-label={_("Loading VMs")} />}
      {data.vms !== null && (
        <>
          <SearchInput placeholder={_("Filter by name")} value={filter} onChange={(_e, v) => setFilter(v)} onClear={() => setFilter("")} />
          <table className="pf-v6-c-table pf-m-compact" aria-label={_("VMs")} id="v2k-vm-table">
            <thead className="pf-v6-c-table__thead">
              <tr className="pf-v6-c-table__tr">
                <th className="pf-v6-c-table__th" scope="col">
                  <span className="pf-v6-screen-reader">{_("Select")}</span>
                </th>
                {[_("VM"), _("Power"), _("Disks"), _("Guest")].map((title) => (
                  <th key={title} className="pf-v6-c-table__th" scope="col">
                    {title}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody className="pf-v6-c-table__tbody">
              {vms.map((vm) => (
                <tr key={vm.name} className="pf-v6-c-table__tr v2k-vm-row" data-vm={vm.name}>
                  <td className="pf-v6-c-table__td">
                    <Radio
                      id={`v2k-vm-${vm.name}`}
                      name="v2k-vm"
                      isChecked={data.vmName === vm.name}
                      onChange={() => choose(vm.name)}
                      aria-label={vm.name}
                    />
                  </td>
                  <td className="pf-v6-c-table__td">{vm.name}</td>
                  <td className="pf-v6-c-table__td">
                    <Label color={vm.powerState === "poweredOn" ? "green" : "grey"}>
                      {vm.powerState === "poweredOn" ? _("On") : _("Off")}
                    </Label>
                  </td>
                  <td className="pf-v6-c-table__td">{vm.disks.map((d) => `${d.label} ${formatBytes(d.capacityBytes)}`).join(", ")}</td>
                  <td className="pf-v6-c-table__td">{vm.guestFullName ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}

// Step 1: vCenter URL, user and password; the server's certificate thumbprint is shown for the admin
// to confirm (trust on confirmation, never silently).
import { useState } from "react";
import { type ErrorInfo } from "../../../shared/errors";
import { type VcenterVm } from "../../../shared/results";
import * as api from "../../host/api";
import { toHelperError } from "../../host/helper-error";
import { _ } from "../../i18n";
import { Alert, Button, Checkbox, Form, FormGroup, TextInput, Spinner, HelperText, HelperTextItem } from "../../pf";
import { ErrorAlert } from "../ErrorAlert";
import { normalizeVcenterUrl, type StepProps } from "./wizard-data";
import { connectStepDone } from "./wizard-steps";

/**
 * The login itself, checked before step 1 is left (a wrong password fails here, not at the VM list):
 * listing the VMs logs in with the password on stdin, and step 2 shows what it returned.
 */
export async function checkLogin(conn: api.VcenterConnection): Promise<VcenterVm[]> {
  return (await api.vcenterVms({ conn }).promise).vms;
}

export function ConnectStep({ data, update, onSubmit }: StepProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);

  const probe = async () => {
    setBusy(true);
    setError(null);
    const url = normalizeVcenterUrl(data.url);
    update({ url, probe: null, thumbprintConfirmed: false, vms: null });
    try {
      update({ probe: await api.vcenterProbe({ url }).promise });
    } catch (e) {
      setError(toHelperError(e).info);
    } finally {
      setBusy(false);
    }
  };

  return (
    // Enter checks the certificate first, then (once confirmed) goes on like Next
    <Form
      onSubmit={(e) => {
        e.preventDefault();
        if (connectStepDone(data) && onSubmit) onSubmit();
        else if (!data.probe) void probe();
      }}
      id="v2k-step-connect"
    >
      <FormGroup label={_("vCenter or ESXi address")} isRequired fieldId="v2k-vcenter-url">
        <TextInput
          id="v2k-vcenter-url"
          value={data.url}
          isRequired
          placeholder="https://vcenter.example.com/sdk"
          onChange={(_e, v) => update({ url: v, probe: null, thumbprintConfirmed: false, vms: null })}
        />
      </FormGroup>
      <FormGroup label={_("User")} isRequired fieldId="v2k-vcenter-user">
        <TextInput
          id="v2k-vcenter-user"
          value={data.username}
          isRequired
          autoComplete="username"
          onChange={(_e, v) => update({ username: v, vms: null })}
        />
      </FormGroup>
      <FormGroup label={_("Password")} isRequired fieldId="v2k-vcenter-password">
        <TextInput
          id="v2k-vcenter-password"
          type="password"
          value={data.password}
          isRequired
          autoComplete="current-password"
          onChange={(_e, v) => update({ password: v, vms: null })}
        />
        <HelperText>
          <HelperTextItem>{_("Sent to the helper on its standard input only; never stored.")}</HelperTextItem>
        </HelperText>
      </FormGroup>
      <div>
        <Button variant="secondary" id="v2k-probe" onClick={() => void probe()} isDisabled={busy || data.url.trim() === ""}>
          {_("Check certificate")}
        </Button>
        {busy && <Spinner size="md" aria-label={_("Connecting")} />}
      </div>
      {/* a form without a submit button ignores Enter: this one makes Enter reach onSubmit */}
      <button type="submit" hidden tabIndex={-1} />
      {error && <ErrorAlert error={error} />}
      {data.probe && (
        <Alert variant="info" isInline title={_("Confirm the vCenter certificate")} id="v2k-thumbprint">
          <p>{_("Compare this SHA-1 thumbprint with the one shown by the vCenter administrator before trusting it:")}</p>
          <p>
            <code className="v2k-thumbprint-value">{data.probe.thumbprint}</code>
          </p>
          {data.probe.subject && (
            <p>
              {_("Subject")}: {data.probe.subject}
            </p>
          )}
          <Checkbox
            id="v2k-thumbprint-confirm"
            isChecked={data.thumbprintConfirmed}
            label={_("I have verified this thumbprint and trust this certificate")}
            onChange={(_e, v) => update({ thumbprintConfirmed: v })}
          />
        </Alert>
      )}
    </Form>
  );
}

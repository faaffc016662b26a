// Step 4: the helper's Go/No-Go checks, before anything changes on VMware.
import { useEffect, useState } from "react";
import { type PreflightCheck } from "../../../shared/results";
import * as api from "../../host/api";
import { toHelperError } from "../../host/helper-error";
import { _ } from "../../i18n";
import { Alert, Button, Flex, Label, Spinner, Stack } from "../../pf";
import { ErrorAlert } from "../ErrorAlert";
import { connectionOf } from "./VmStep";
import { type StepProps, targetChoice } from "./wizard-data";

function statusLabel(status: PreflightCheck["status"]) {
  if (status === "pass") return <Label color="green">{_("Pass")}</Label>;
  if (status === "warn") return <Label color="orange">{_("Warning")}</Label>;
  return <Label color="red">{_("Fail")}</Label>;
}

export function PreflightStep({ data, update }: StepProps) {
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    if (data.preflight !== null) return;
    update({ preflightError: null });
    const run = api.preflight({
      conn: connectionOf(data),
      target: targetChoice(data),
    });
    let live = true; // a run cancelled by leaving the step reports nothing
    run.promise.then(
      (r) => live && update({ preflight: r }),
      (e) => live && update({ preflightError: toHelperError(e).info }),
    );
    return () => {
      live = false;
      run.cancel();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [data.preflight, attempt]);

  const result = data.preflight;
  const error = data.preflightError;
  const warnings = result?.checks.filter((c) => c.status === "warn") ?? [];
  return (
    <div id="v2k-step-preflight">
      {error && <ErrorAlert error={error} />}
      {!error && !result && (
        <Flex alignItems={{ default: "alignItemsCenter" }} id="v2k-preflight-running">
          <Spinner size="lg" aria-hidden />
          <span>{_("Running preflight checks")}</span>
        </Flex>
      )}
      {result && (
        <Stack hasGutter>
          {result.go ? (
            <Alert variant="success" isInline title={_("Go: the VM can be migrated")} id="v2k-preflight-go" />
          ) : (
            <Alert variant="danger" isInline title={_("No-Go: fix the failed checks first")} id="v2k-preflight-nogo" />
          )}
          {result.go && warnings.length > 0 && (
            <Alert variant="warning" isInline id="v2k-preflight-warnings" title={_("Go, with warnings to read before cutover:")}>
              <ul>
                {warnings.map((c) => (
                  <li key={c.id} data-check={c.id}>
                    {c.title}: {c.reason}
                  </li>
                ))}
              </ul>
            </Alert>
          )}
          <table className="pf-v6-c-table pf-m-compact" aria-label={_("Preflight checks")} id="v2k-preflight-checks">
            <tbody className="pf-v6-c-table__tbody">
              {result.checks.map((c) => (
                <tr key={c.id} className="pf-v6-c-table__tr v2k-check" data-check={c.id} data-status={c.status}>
                  <td className="pf-v6-c-table__td">{statusLabel(c.status)}</td>
                  <td className="pf-v6-c-table__td">{c.title}</td>
                  <td className="pf-v6-c-table__td">{c.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Stack>
      )}
      {(error || result) && (
        <Button
          variant="link"
          onClick={() => {
            update({ preflight: null });
            setAttempt(attempt + 1);
          }}
        >
          {_("Run the checks again")}
        </Button>
      )}
    </div>
  );
}

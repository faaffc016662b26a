// The wizard's progress as one hook: the collected data, the current step, and the two moments that ask
// the helper something (leaving step 1 logs in; the last step's Create runs init).
import { useState } from "react";
import { type ErrorInfo } from "../../../shared/errors";
import * as api from "../../host/api";
import { toHelperError } from "../../host/helper-error";
import { type AppState } from "../../state/app-state";
import { checkLogin } from "./ConnectStep";
import { connectionOf } from "./VmStep";
import { emptyWizardData, targetChoice, type WizardData } from "./wizard-data";
import { wizardSteps } from "./wizard-steps";

export function useWizardFlow(state: AppState) {
  const [data, setData] = useState<WizardData>(emptyWizardData);
  const [index, setIndex] = useState(0);
  const [checking, setChecking] = useState(false);
  const [creating, setCreating] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const update = (patch: Partial<WizardData>) => setData((d) => ({ ...d, ...patch }));
  const step = wizardSteps[index]!;
  const last = index === wizardSteps.length - 1;
  const blocker = step.blocker(data);

  const create = async () => {
    setCreating(true);
    setError(null);
    const conn = connectionOf(data);
    try {
      const result = await api.init({ conn, target: targetChoice(data) }).promise;
      state.rememberConnection(conn);
      state.go({ view: "migration", workdir: result.workdir });
    } catch (e) {
      setError(toHelperError(e).info);
    } finally {
      setCreating(false);
    }
  };

  const goTo = (i: number) => {
    setError(null);
    setIndex(i);
  };

  /** Next (or Enter): step 1 is left only after the helper logged in with these credentials. */
  const next = async () => {
    if (blocker !== null || checking || creating) return;
    if (last) return void create();
    if (step.id === "connect") {
      setChecking(true);
      setError(null);
      try {
        update({ vms: await checkLogin(connectionOf(data)) });
      } catch (e) {
        return setError(toHelperError(e).info);
      } finally {
        setChecking(false);
      }
    }
    goTo(index + 1);
  };

  return { data, update, index, step, last, blocker, checking, creating, error, next, back: () => goTo(index - 1) };
}

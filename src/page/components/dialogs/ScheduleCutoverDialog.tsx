// Schedule the cutover: incremental rounds keep the KVM disks current until the chosen moment (the admin's
// local time, its zone said), then the helper cuts over unattended with the choices made here. It runs as
// the migration's background job: cancelling that job cancels the schedule.
import { useState } from "react";
import { type ScheduleOptions } from "../../host/api";
import { _, format } from "../../i18n";
import { formatTime } from "../../format";
import { isoToLocalInput, localInputToIso, scheduleProblem, timezoneLabel } from "../../state/schedule";
import { type ScheduledCheck } from "../../state/step-options";
import { Content, FormGroup, HelperText, HelperTextItem, TextInput } from "../../pf";
import { ActionDialog, confirmWith, type ActionDialogOf } from "./ActionDialog";
import { CutoverChoices, useCutoverChoices } from "./CutoverChoices";
import { CutoverSteps, DowntimeNote } from "./CutoverDialog";

/** The next full hour from now, as the input shows it (a sensible first proposal). */
function nextHour(): string {
  const at = new Date(Date.now() + 3_600_000);
  at.setMinutes(0, 0, 0);
  return isoToLocalInput(at);
}

function TimeField({ value, onChange, iso }: { value: string; onChange(v: string): void; iso: string | null }) {
  const problem = scheduleProblem(iso);
  const zone = timezoneLabel(iso ? new Date(iso) : new Date());
  return (
    <FormGroup label={format(_("Cutover time ($0)"), zone)} fieldId="v2k-schedule-at" isRequired className="v2k-dialog-lead">
      <TextInput
        id="v2k-schedule-at"
        type="datetime-local"
        value={value}
        onChange={(_e, v) => onChange(v)}
        validated={problem ? "error" : "default"}
      />
      <HelperText>
        <HelperTextItem id="v2k-schedule-at-help" variant={problem ? "error" : "default"}>
          {problem === "invalid"
            ? _("Give a date and a time.")
            : problem === "past"
              ? _("This time has passed: choose a time in the future.")
              : format(_("Your local time; the cutover begins at $0."), formatTime(iso ?? undefined))}
        </HelperTextItem>
      </HelperText>
    </FormGroup>
  );
}

/** What the run checks between define and start (Step options: Verify's mode, or Cutover's no verify). */
function CheckNote({ check }: { check: ScheduledCheck | null }) {
  if (check === null) return null;
  const text = {
    quick: _("Before the start, sample blocks of the disks are compared with the powered-off VMware VM (quick verify)."),
    full: _("Before the start, every allocated block is compared with the powered-off VMware VM (full verify)."),
    boot: _("Before the start, a copy of the guest boots isolated on throw-away overlays and must reach its boot marker (boot check)."),
    none: _("The disks are not verified before the start (Step options)."),
  }[check];
  return (
    <p id="v2k-schedule-check" data-check={check}>
      {text}
    </p>
  );
}

/** `check`: what the scheduled run verifies before the start, from the recorded step options. */
export function ScheduleCutoverDialog(props: ActionDialogOf<ScheduleOptions> & { check: ScheduledCheck | null }) {
  const { manifest } = props;
  const choices = useCutoverChoices(manifest);
  const [value, setValue] = useState(nextHour);
  const iso = localInputToIso(value);
  return (
    <ActionDialog
      id="v2k-schedule-dialog"
      title={_("Schedule cutover")}
      confirmLabel={_("Schedule cutover")}
      danger
      ready={scheduleProblem(iso) === null}
      {...confirmWith(props, () => {
        // checked again at the click: the dialog may have stayed open past the time
        const at = localInputToIso(value);
        if (scheduleProblem(at) !== null) throw new Error(_("This time has passed: choose a time in the future."));
        return { ...choices.options(), at: at! };
      })}
    >
      <TimeField value={value} onChange={setValue} iso={iso} />
      <Content>
        <p>
          {_("Incremental rounds keep the KVM disks current until the chosen time; then the cutover runs unattended.")}{" "}
          {_("The conversion is rehearsed first, so a guest that cannot be converted is known long before.")}
        </p>
        <CutoverSteps shutdown={choices.shutdown} start={choices.start} />
        <CheckNote check={props.check} />
        <p>{_("Cancelling the operation cancels the schedule; the VMware VM keeps running until the cutover begins.")}</p>
        <DowntimeNote manifest={manifest} guestShutdown={choices.shutdown === "guest"} />
      </Content>
      <CutoverChoices id="v2k-schedule" manifest={manifest} choices={choices} />
    </ActionDialog>
  );
}

// Guest conversion: the rehearsal while the VMware VM runs and the conversion in the cutover, each with its
// state, duration, what it changed and its log; "skipped" says why, a failure its hint.
import { type ReactNode } from "react";
import { type Manifest } from "../../../shared/manifest";
import { _, format } from "../../i18n";
import { shownHint } from "../../error-hints";
import { formatBytes, formatDuration, formatTime } from "../../format";
import { conversionView, type ConversionShown, type ConversionState, type RehearsalShown } from "../../state/conversion-view";
import {
  DescriptionList,
  DescriptionListDescription,
  DescriptionListGroup,
  DescriptionListTerm,
  HelperText,
  HelperTextItem,
  Label,
} from "../../pf";

function term(t: string, d: ReactNode, id?: string) {
  return (
    <DescriptionListGroup>
      <DescriptionListTerm>{t}</DescriptionListTerm>
      <DescriptionListDescription id={id}>{d}</DescriptionListDescription>
    </DescriptionListGroup>
  );
}

function rehearsalLabel(r: RehearsalShown) {
  if (r.state === "failed") return <Label color="red">{_("failed")}</Label>;
  if (r.state === "no-os") return <Label color="grey">{_("no operating system to convert: the disks stay as copied")}</Label>;
  if (r.stale) return <Label color="blue">{_("passed on an older round: repeated before the cutover")}</Label>;
  return <Label color="green">{_("passed")}</Label>;
}

function conversionLabel(state: ConversionState) {
  switch (state) {
    case "running":
      return <Label color="blue">{_("converting")}</Label>;
    case "converted":
      return <Label color="blue">{_("converted, being written to the disks")}</Label>;
    case "committed":
      return <Label color="green">{_("converted")}</Label>;
    case "skipped":
      return <Label color="grey">{_("skipped")}</Label>;
    case "failed":
      return <Label color="red">{_("failed")}</Label>;
  }
}

function Rehearsal({ r }: { r: RehearsalShown }) {
  return (
    <>
      {term(_("Rehearsal"), <span data-state={r.state}>{rehearsalLabel(r)}</span>, "v2k-rehearsal-state")}
      {term(_("Rehearsal time"), `${formatTime(r.at)} · ${formatDuration(r.durationMs)}${r.os ? ` · ${r.os}` : ""}`)}
      {term(_("Rehearsal log"), <code>{r.logPath}</code>)}
    </>
  );
}

function Conversion({ c }: { c: ConversionShown }) {
  const ch = c.changed;
  const changed = !ch
    ? null
    : ch.disks === 1
      ? format(_("$0 in $1 ranges on one disk (left out of verify)"), formatBytes(ch.bytes), ch.ranges)
      : format(_("$0 in $1 ranges on $2 disks (left out of verify)"), formatBytes(ch.bytes), ch.ranges, ch.disks);
  return (
    <>
      {term(_("Conversion"), <span data-state={c.state}>{conversionLabel(c.state)}</span>, "v2k-conversion-state")}
      {term(
        c.state === "skipped" ? _("Why") : _("Tool"),
        c.state === "skipped" ? c.reason : `${c.tool} · ${c.reason}`,
        "v2k-conversion-reason",
      )}
      {c.durationMs !== null && c.state !== "skipped" && term(_("Duration"), formatDuration(c.durationMs), "v2k-conversion-duration")}
      {c.os && term(_("Guest"), c.os)}
      {changed && term(_("Changed"), changed, "v2k-conversion-changed")}
      {c.logPath && term(_("Log"), <code>{c.logPath}</code>, "v2k-conversion-log")}
    </>
  );
}

export function ConversionStatus({ manifest, running }: { manifest: Manifest; running: boolean }) {
  const v = conversionView(manifest, running);
  return (
    <div id="v2k-conversion">
      {!v.rehearsal && !v.conversion && (
        <p>{_("The conversion is rehearsed on a copy before the cutover, and runs after the final sync.")}</p>
      )}
      {(v.rehearsal || v.conversion) && (
        <DescriptionList isHorizontal isCompact>
          {v.rehearsal && <Rehearsal r={v.rehearsal} />}
          {v.conversion && <Conversion c={v.conversion} />}
        </DescriptionList>
      )}
      {v.error && (
        <HelperText className="v2k-conversion-hint">
          <HelperTextItem variant="error" id="v2k-conversion-hint">
            {shownHint(v.error)}
          </HelperTextItem>
        </HelperText>
      )}
    </div>
  );
}

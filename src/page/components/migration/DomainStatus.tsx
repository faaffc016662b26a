// After cutover: the KVM domain, downtime, and the verification results.
import { type ReactNode } from "react";
import { type Manifest } from "../../../shared/manifest";
import { type DomainStatus as DomainStatusData } from "../../../shared/results";
import { _ } from "../../i18n";
import { formatDuration, formatTime } from "../../format";
import { domainStateShown } from "../../state/derive";
import { MachinesLink } from "./MachinesLink";
import { DescriptionList, DescriptionListDescription, DescriptionListGroup, DescriptionListTerm, Label } from "../../pf";

function stateLabel(state: string) {
  if (state === "running") return <Label color="green">{_("running")}</Label>;
  if (state === "undefined") return <Label color="grey">{_("not defined")}</Label>;
  if (state === "removed") return <Label color="grey">{_("removed by the rollback")}</Label>;
  if (state === "shut off") return <Label color="grey">{_("shut off")}</Label>;
  if (state === "unknown") return <Label color="orange">{_("unknown")}</Label>;
  return <Label color="orange">{state}</Label>;
}

export function DomainStatus({ manifest, domain }: { manifest: Manifest; domain: DomainStatusData | null | undefined }) {
  const c = manifest.cutover;
  const state = domainStateShown(manifest, domain);
  const term = (t: string, d: ReactNode, id?: string) => (
    <DescriptionListGroup>
      <DescriptionListTerm>{t}</DescriptionListTerm>
      <DescriptionListDescription id={id}>{d}</DescriptionListDescription>
    </DescriptionListGroup>
  );
  return (
    <div id="v2k-domain">
      {!c && <p>{_("The KVM domain is created at cutover.")}</p>}
      {c && (
        <DescriptionList isHorizontal isCompact>
          {term(_("Domain"), c.domainName ?? "-", "v2k-domain-name")}
          {state && term(_("State in libvirt"), <span data-state={state}>{stateLabel(state)}</span>, "v2k-domain-state")}
          {state &&
            c.domainName &&
            !["undefined", "unknown", "removed"].includes(state) &&
            term(_("Manage"), <MachinesLink domainName={c.domainName} />)}
          {term(_("Source powered off"), formatTime(c.sourceOffAt))}
          {term(_("Defined"), formatTime(c.definedAt))}
          {term(_("Started"), formatTime(c.startedAt))}
          {term(_("Downtime"), c.downtimeMs !== undefined ? formatDuration(c.downtimeMs) : "-", "v2k-downtime")}
        </DescriptionList>
      )}
      {manifest.verify.length > 0 && (
        <ul id="v2k-verify-results">
          {manifest.verify.map((v, i) => (
            <li key={i} className="v2k-verify" data-ok={v.ok}>
              <Label color={v.ok ? "green" : "red"}>{v.ok ? _("Verified") : _("Mismatch")}</Label> {v.mode} · {formatTime(v.at)}
              {v.samples !== undefined ? ` · ${v.samples} ${_("samples")}` : ""}
              {v.mismatches.map((m, j) => (
                <div key={j}>
                  {_("Disk")} {m.disk} @ {m.offset} (+{m.length})
                </div>
              ))}
            </li>
          ))}
        </ul>
      )}
      {manifest.rollback && (
        <p id="v2k-rollback-done">
          {_("Rolled back at")} {formatTime(manifest.rollback.at)}:{" "}
          {manifest.rollback.sourcePoweredOn ? _("the VMware VM runs again.") : _("the VMware VM stays off.")}
        </p>
      )}
      {manifest.cleanup && (
        <p id="v2k-cleanup-done">
          {_("Cleaned up at")} {formatTime(manifest.cleanup.at)}.
        </p>
      )}
    </div>
  );
}

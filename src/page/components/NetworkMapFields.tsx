// One dropdown per VMware port group: the host's libvirt networks and bridges (from `storage networks`),
// the host default preselected. A recorded target the host no longer has stays visible, marked missing.
import { useEffect, useState } from "react";
import { type NetworksResult } from "../../shared/results";
import * as api from "../host/api";
import { _ } from "../i18n";
import { FormGroup, FormSelect, FormSelectOption, HelperText, HelperTextItem } from "../pf";

export function useHostNetworks(): { choices: NetworksResult | null; error: string | null } {
  const [choices, setChoices] = useState<NetworksResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    const run = api.hostNetworks();
    run.promise.then(
      (c) => live && setChoices(c),
      (e: unknown) => live && setError(e instanceof Error ? e.message : String(e)),
    );
    return () => {
      live = false;
      run.cancel();
    };
  }, []);
  return { choices, error };
}

/** Port group -> target for every port group: the chosen one, else the host default (absent without one). */
export function withHostDefault(portGroups: readonly string[], map: Record<string, string>, choices: NetworksResult | null) {
  const out: Record<string, string> = {};
  for (const pg of portGroups) {
    const to = map[pg] ?? choices?.default ?? undefined;
    if (to) out[pg] = to;
  }
  return out;
}

function options(choices: NetworksResult | null, current: string): { value: string; label: string; disabled: boolean }[] {
  const list = [
    ...(choices?.networks ?? []).map((n) => ({
      value: `network:${n.name}`,
      label: n.active ? `${n.name} (${_("libvirt network")})` : `${n.name} (${_("libvirt network, not active")})`,
      disabled: !n.active,
    })),
    ...(choices?.bridges ?? []).map((b) => ({ value: `bridge:${b}`, label: `${b} (${_("bridge")})`, disabled: false })),
  ];
  if (current && !list.some((o) => o.value === current)) {
    list.unshift({
      value: current,
      label: `${current.replace(/^(bridge|network):/, "")} (${_("not found on this host")})`,
      disabled: false,
    });
  }
  if (!current) list.unshift({ value: "", label: _("Choose a network"), disabled: true });
  return list;
}

export function NetworkMapFields(props: {
  idPrefix: string;
  portGroups: readonly string[];
  map: Record<string, string>;
  choices: NetworksResult | null;
  error: string | null;
  onChange(map: Record<string, string>): void;
}) {
  const { idPrefix, portGroups, map, choices, error } = props;
  const effective = withHostDefault(portGroups, map, choices);
  return (
    <FormGroup label={_("Network mapping")} fieldId={`${idPrefix}-map`} role="group">
      {portGroups.map((pg) => (
        <FormGroup key={pg} label={pg} fieldId={`${idPrefix}-${pg}`}>
          <FormSelect
            id={`${idPrefix}-${pg}`}
            aria-label={pg}
            value={effective[pg] ?? ""}
            isDisabled={!choices && !error}
            onChange={(_e, v) => props.onChange({ ...effective, [pg]: v })}
          >
            {options(choices, effective[pg] ?? "").map((o) => (
              <FormSelectOption key={o.value} value={o.value} label={o.label} isDisabled={o.disabled} />
            ))}
          </FormSelect>
        </FormGroup>
      ))}
      <HelperText>
        <HelperTextItem variant={error ? "error" : "default"}>
          {error
            ? `${_("The host's networks could not be listed:")} ${error}`
            : _("A libvirt network or bridge of this host for each VMware port group; checked before the VMware VM is shut down.")}
        </HelperTextItem>
      </HelperText>
    </FormGroup>
  );
}

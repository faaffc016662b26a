// What a cutover asks, now or scheduled: how the VMware VM goes down, whether the KVM domain starts, and
// where its NICs go (the map recorded at init, or by an earlier cutover; the helper saves what is confirmed).
import { useState } from "react";
import { type Manifest } from "../../../shared/manifest";
import { type CutoverOptions } from "../../host/api";
import { _ } from "../../i18n";
import { Alert, Checkbox, Radio, FormGroup } from "../../pf";
import { NetworkMapFields, useHostNetworks, withHostDefault } from "../NetworkMapFields";
import { defaultShutdown } from "./cutover-defaults";

export interface CutoverChoicesState {
  shutdown: CutoverOptions["shutdown"];
  start: boolean;
  map: Record<string, string>;
  setShutdown(s: CutoverOptions["shutdown"]): void;
  setStart(v: boolean): void;
  setMap(m: Record<string, string>): void;
  /** The options as the helper gets them (unmapped port groups take the host default). */
  options(): CutoverOptions;
  portGroups: string[];
  networks: ReturnType<typeof useHostNetworks>;
}

export function useCutoverChoices(manifest: Manifest): CutoverChoicesState {
  const [shutdown, setShutdown] = useState<CutoverOptions["shutdown"]>(defaultShutdown(manifest));
  const [start, setStart] = useState(false);
  const [map, setMap] = useState<Record<string, string>>(manifest.networkMap ?? {});
  const networks = useHostNetworks();
  const portGroups = [...new Set(manifest.nics.map((n) => n.network))];
  return {
    shutdown,
    start,
    map,
    setShutdown,
    setStart,
    setMap,
    portGroups,
    networks,
    options: () => ({ shutdown, start, networkMap: withHostDefault(portGroups, map, networks.choices) }),
  };
}

/** `id` prefixes the fields ("v2k-cutover" keeps the cutover dialog's ids). */
export function CutoverChoices({ id, manifest, choices }: { id: string; manifest: Manifest; choices: CutoverChoicesState }) {
  const c = choices;
  return (
    <>
      {manifest.vm.toolsRunningAtInit === false && (
        <Alert
          variant="warning"
          isInline
          id={`${id}-no-tools`}
          title={_("VMware Tools were not running in this VM: a guest shutdown is not possible, so it will be powered off.")}
        />
      )}
      <FormGroup label={_("Shutdown")} role="radiogroup" fieldId={`${id}-shutdown`} isInline className="v2k-cutover-options">
        <Radio
          id={`${id}-guest`}
          name={`${id}-shutdown`}
          label={_("Guest shutdown")}
          isChecked={c.shutdown === "guest"}
          onChange={() => c.setShutdown("guest")}
        />
        <Radio
          id={`${id}-poweroff`}
          name={`${id}-shutdown`}
          label={_("Power off")}
          isChecked={c.shutdown === "poweroff"}
          onChange={() => c.setShutdown("poweroff")}
        />
      </FormGroup>
      <Checkbox id={`${id}-start`} label={_("Start the KVM domain")} isChecked={c.start} onChange={(_e, v) => c.setStart(v)} />
      {c.portGroups.length > 0 && (
        <NetworkMapFields
          idPrefix={`${id}-net`}
          portGroups={c.portGroups}
          map={c.map}
          choices={c.networks.choices}
          error={c.networks.error}
          onChange={c.setMap}
        />
      )}
    </>
  );
}

// The target step's storage choice: image files in a directory, one block device per disk, or images in
// a Ceph RBD pool. RBD is offered when the host has a Ceph conf: its pools with what each can still take,
// and the image names init will create (<vm>-disk<N>, the helper's own rule).
import { useEffect, useState } from "react";
import { type StoragePoolsResult } from "../../../shared/results";
import * as api from "../../host/api";
import { formatBytes } from "../../format";
import { _, format } from "../../i18n";
import { FormGroup, FormSelect, FormSelectOption, HelperText, HelperTextItem, Radio, TextInput } from "../../pf";
import { plannedImages, type StepProps, vmDisks, type WizardData } from "./wizard-data";

type Pools = StoragePoolsResult["pools"];

/** The host's Ceph pools: undefined while asked, null without a Ceph conf, else the list (or the error). */
export function useCephPools(): { pools: Pools | null | undefined; error: string | null } {
  const [pools, setPools] = useState<Pools | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    api.cephPools().then(
      (r) => live && setPools(r ? r.pools : null),
      (e: unknown) => live && (setPools([]), setError(e instanceof Error ? e.message : String(e))),
    );
    return () => {
      live = false;
    };
  }, []);
  return { pools, error };
}

export function StorageChoice({ data, update, withRbd }: StepProps & { withRbd: boolean }) {
  const choose = (storage: WizardData["storage"]) => update({ storage, preflight: null });
  return (
    <FormGroup role="radiogroup" label={_("Storage")} fieldId="v2k-storage" isInline>
      <Radio
        id="v2k-storage-file"
        name="v2k-storage"
        label={_("Image files in a directory")}
        isChecked={data.storage === "file"}
        onChange={() => choose("file")}
      />
      <Radio
        id="v2k-storage-block"
        name="v2k-storage"
        label={_("Block devices (one per disk)")}
        isChecked={data.storage === "block"}
        onChange={() => choose("block")}
      />
      {withRbd && (
        <Radio
          id="v2k-storage-rbd"
          name="v2k-storage"
          label={_("Ceph RBD pool")}
          isChecked={data.storage === "rbd"}
          onChange={() => choose("rbd")}
        />
      )}
    </FormGroup>
  );
}

export function BlockDeviceFields({ data, update }: StepProps) {
  return (
    <>
      {vmDisks(data).map((disk, i) => (
        <FormGroup
          key={i}
          isRequired
          label={format(_("Device for $0 ($1)"), disk.label, formatBytes(disk.capacityBytes))}
          fieldId={`v2k-device-${i}`}
        >
          <TextInput
            id={`v2k-device-${i}`}
            value={data.devices[i] ?? ""}
            placeholder="/dev/vg0/disk"
            onChange={(_e, v) => {
              const devices = [...data.devices];
              devices[i] = v;
              update({ devices, preflight: null });
            }}
          />
        </FormGroup>
      ))}
    </>
  );
}

export function RbdPoolFields({ data, update, pools, error }: StepProps & { pools: Pools; error: string | null }) {
  const needed = vmDisks(data).reduce((s, d) => s + d.capacityBytes, 0);
  const chosen = pools.find((p) => p.name === data.rbdPool);
  return (
    <>
      <FormGroup label={_("Ceph pool")} isRequired fieldId="v2k-rbd-pool">
        <FormSelect id="v2k-rbd-pool" value={data.rbdPool} onChange={(_e, v) => update({ rbdPool: v, preflight: null })}>
          {!chosen && <FormSelectOption value="" label={_("Choose a pool")} isDisabled />}
          {pools.map((p) => (
            <FormSelectOption key={p.name} value={p.name} label={format(_("$0 ($1 free)"), p.name, formatBytes(p.maxAvailBytes))} />
          ))}
        </FormSelect>
        <HelperText>
          {error && <HelperTextItem variant="error">{error}</HelperTextItem>}
          {chosen && (
            <HelperTextItem variant={chosen.maxAvailBytes < needed ? "warning" : "default"}>
              {format(_("$0 free, the disks need $1."), formatBytes(chosen.maxAvailBytes), formatBytes(needed))}
            </HelperTextItem>
          )}
        </HelperText>
      </FormGroup>
      {chosen && (
        <FormGroup label={_("RBD images")} fieldId="v2k-rbd-images">
          <ul id="v2k-rbd-images">
            {plannedImages(data).map((image) => (
              <li key={image}>
                <code>{image}</code>
              </li>
            ))}
          </ul>
        </FormGroup>
      )}
    </>
  );
}

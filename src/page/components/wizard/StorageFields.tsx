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

/** Each choice with what it means on this host: stacked, so no label is split from its radio at 420 px. */
export function StorageChoice({ data, update, withRbd }: StepProps & { withRbd: boolean }) {
  const choices: { storage: WizardData["storage"]; label: string; description: string }[] = [
    {
      storage: "file",
      label: _("Image files in a directory"),
      description: _("A qcow2 or raw image per disk, in a directory of this host."),
    },
    {
      storage: "block",
      label: _("Block devices (one per disk)"),
      description: _("Each disk is written onto a block device or logical volume you name; what it holds is overwritten."),
    },
    ...(withRbd
      ? [
          {
            storage: "rbd" as const,
            label: _("Ceph RBD pool"),
            description: _("Each disk becomes an RBD image in a pool of this host's Ceph cluster."),
          },
        ]
      : []),
  ];
  return (
    <FormGroup role="radiogroup" label={_("Storage")} fieldId="v2k-storage">
      {choices.map((c) => (
        <Radio
          key={c.storage}
          id={`v2k-storage-${c.storage}`}
          name="v2k-storage"
          label={c.label}
          description={c.description}
          isChecked={data.storage === c.storage}
          onChange={() => update({ storage: c.storage, preflight: null })}
        />
      ))}
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
          <HelperText>
            <HelperTextItem>{format(_("At least $0; everything on it is overwritten."), formatBytes(disk.capacityBytes))}</HelperTextItem>
          </HelperText>
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
          <HelperText>
            <HelperTextItem>{_("Init creates these images; preflight checks that none of them exists yet.")}</HelperTextItem>
          </HelperText>
        </FormGroup>
      )}
    </>
  );
}

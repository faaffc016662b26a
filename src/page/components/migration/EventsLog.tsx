// The live events.log: follow mode, filter by level and disk, copy. Progress events are shown as
// progress bars instead of lines.
import { useEffect, useMemo, useRef, useState } from "react";
import { type V2kEvent } from "../../../shared/events";
import { eventLevel, eventText, visibleEvents, type LevelFilter } from "./event-lines";
import { _ } from "../../i18n";
import { formatClock } from "../../format";
import { Button, FormSelect, FormSelectOption, Switch, Toolbar, ToolbarContent, ToolbarItem } from "../../pf";

/** Clipboard API where the frame may use it, else the selection-based copy older frames allow. */
async function copyText(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
}

export function EventsLog({ events, disks }: { events: V2kEvent[]; disks: { key: number; label: string }[] }) {
  const [level, setLevel] = useState<LevelFilter>("all");
  const [disk, setDisk] = useState<string>("all");
  const [follow, setFollow] = useState(true);
  const box = useRef<HTMLDivElement>(null);

  const lines = useMemo(() => visibleEvents(events, level, disk === "all" ? "all" : Number(disk)), [events, level, disk]);

  useEffect(() => {
    if (follow && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [lines, follow]);

  const asText = () => lines.map((e) => `${e.ts} ${eventLevel(e).toUpperCase()} ${e.step} ${eventText(e)}`).join("\n");

  return (
    <div id="v2k-events">
      <Toolbar>
        <ToolbarContent>
          <ToolbarItem>
            <FormSelect id="v2k-events-level" value={level} aria-label={_("Level")} onChange={(_e, v) => setLevel(v as LevelFilter)}>
              <FormSelectOption value="all" label={_("All levels")} />
              <FormSelectOption value="info" label={_("Info and above")} />
              <FormSelectOption value="warn" label={_("Warnings and errors")} />
              <FormSelectOption value="error" label={_("Errors")} />
            </FormSelect>
          </ToolbarItem>
          <ToolbarItem>
            <FormSelect id="v2k-events-disk" value={disk} aria-label={_("Disk")} onChange={(_e, v) => setDisk(v)}>
              <FormSelectOption value="all" label={_("All disks")} />
              {disks.map((d) => (
                <FormSelectOption key={d.key} value={String(d.key)} label={d.label} />
              ))}
            </FormSelect>
          </ToolbarItem>
          <ToolbarItem>
            <Switch id="v2k-events-follow" label={_("Follow")} isChecked={follow} onChange={(_e, v) => setFollow(v)} />
          </ToolbarItem>
          <ToolbarItem>
            <Button variant="secondary" id="v2k-events-copy" onClick={() => void copyText(asText())}>
              {_("Copy")}
            </Button>
          </ToolbarItem>
        </ToolbarContent>
      </Toolbar>
      <div ref={box} className="v2k-events-box" role="log" aria-live="polite" tabIndex={0} aria-label={_("Events")}>
        {lines.length === 0 && <p>{_("No events yet.")}</p>}
        {lines.map((e) => (
          <div key={`${e.seq}-${e.ts}`} className={`v2k-event v2k-event-${eventLevel(e)}`} data-type={e.type} data-seq={e.seq}>
            <span className="v2k-event-time">{formatClock(e.ts)}</span> <span className="v2k-event-step">{e.step}</span>{" "}
            <span className="v2k-event-text">{eventText(e)}</span>
          </div>
        ))}
      </div>
    </div>
  );
}

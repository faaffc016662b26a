// The live events.log: follow mode, filter by level and disk, copy. Progress events are shown as
// progress bars instead of lines.
import { useEffect, useMemo, useRef, useState } from "react";
import { type V2kEvent } from "../../../shared/events";
import { _ } from "../../i18n";
import { Button, FormSelect, FormSelectOption, Switch, Toolbar, ToolbarContent, ToolbarItem } from "../../pf";

const SHOWN = 500;
type LevelFilter = "all" | "info" | "warn" | "error";

export function eventLevel(e: V2kEvent): "debug" | "info" | "warn" | "error" {
  if (e.type === "log") return e.level;
  if (e.type === "error" || (e.type === "result" && !e.ok)) return "error";
  return "info";
}

export function eventText(e: V2kEvent): string {
  switch (e.type) {
    case "log": return e.message;
    case "phase": return `[${e.phase}] ${e.message}`;
    case "round": return `round ${e.round} (${e.kind}): ${e.changedBytes} bytes changed, ${e.copiedBytes} copied, ${e.durationMs} ms`;
    case "error": return `${e.error.code}: ${e.error.message} — ${e.error.hint}`;
    case "result": return e.ok ? `${e.command}: ok` : `${e.command}: ${e.error?.code ?? "failed"} ${e.error?.message ?? ""}`;
    case "progress": return `disk ${e.disk}: ${e.bytes}/${e.total}`;
  }
}

function eventDisk(e: V2kEvent): number | undefined {
  return e.type === "log" || e.type === "progress" ? e.disk : undefined;
}

const rank = { debug: 0, info: 1, warn: 2, error: 3 } as const;

export function EventsLog({ events, disks }: { events: V2kEvent[]; disks: { key: number; label: string }[] }) {
  const [level, setLevel] = useState<LevelFilter>("all");
  const [disk, setDisk] = useState<string>("all");
  const [follow, setFollow] = useState(true);
  const box = useRef<HTMLDivElement>(null);

  const lines = useMemo(() => events.filter((e) => e.type !== "progress")
    .filter((e) => level === "all" ? eventLevel(e) !== "debug" : rank[eventLevel(e)] >= rank[level])
    .filter((e) => disk === "all" || eventDisk(e) === Number(disk))
    .slice(-SHOWN), [events, level, disk]);

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
              {disks.map((d) => <FormSelectOption key={d.key} value={String(d.key)} label={d.label} />)}
            </FormSelect>
          </ToolbarItem>
          <ToolbarItem>
            <Switch id="v2k-events-follow" label={_("Follow")} isChecked={follow} onChange={(_e, v) => setFollow(v)} />
          </ToolbarItem>
          <ToolbarItem>
            <Button variant="secondary" onClick={() => void navigator.clipboard?.writeText(asText())}>{_("Copy")}</Button>
          </ToolbarItem>
        </ToolbarContent>
      </Toolbar>
      <div ref={box} className="v2k-events-box" role="log" aria-live="polite" tabIndex={0} aria-label={_("Events")}>
        {lines.length === 0 && <p>{_("No events yet.")}</p>}
        {lines.map((e) => (
          <div key={`${e.seq}-${e.ts}`} className={`v2k-event v2k-event-${eventLevel(e)}`} data-type={e.type} data-seq={e.seq}>
            <span className="v2k-event-time">{new Date(e.ts).toLocaleTimeString()}</span>{" "}
            <span className="v2k-event-step">{e.step}</span>{" "}
            <span className="v2k-event-text">{eventText(e)}</span>
          </div>
        ))}
      </div>
    </div>
  );
}

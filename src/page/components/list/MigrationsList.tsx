// Every migration on this host, sortable, with an empty state that starts the wizard.
import "@patternfly/react-styles/css/components/Table/table.css";
// pf-m-grid-md turns rows into stacked cards on narrow windows; its rules live in a separate sheet.
import "@patternfly/react-styles/css/components/Table/table-grid.css";
import { useState } from "react";
import { type AppState } from "../../state/app-state";
import { _, format } from "../../i18n";
import { phaseLabel } from "../../labels";
import { formatBytes, formatDuration } from "../../format";
import {
  Alert,
  Button,
  EmptyState,
  EmptyStateActions,
  EmptyStateBody,
  EmptyStateFooter,
  Label,
  PageSection,
  Spinner,
  Title,
  Toolbar,
  ToolbarContent,
  ToolbarItem,
} from "../../pf";
import { ErrorAlert } from "../ErrorAlert";
import { SortableHeader, type SortState } from "../SortableHeader";
import { sortRows, toRow, type ColumnId, type RunState } from "./list-rows";

function stateLabel(state: RunState) {
  if (state === "running")
    return (
      <Label color="blue" className="v2k-state-running">
        {_("Running")}
      </Label>
    );
  if (state === "waiting")
    return (
      <Label color="orange" className="v2k-state-waiting">
        {_("Waiting for a copy slot")}
      </Label>
    );
  if (state === "failed")
    return (
      <Label color="red" className="v2k-state-failed">
        {_("Failed")}
      </Label>
    );
  return (
    <Label color="grey" className="v2k-state-idle">
      {_("Idle")}
    </Label>
  );
}

export function MigrationsList({ state }: { state: AppState }) {
  const [sort, setSort] = useState<SortState<ColumnId>>({ by: "vm", ascending: true });
  const { loaded, migrations, unreadable, error } = state.list;
  const newButton = (
    <Button variant="primary" id="v2k-new-migration" onClick={() => state.go({ view: "new" })}>
      {_("New migration")}
    </Button>
  );

  const columns: [ColumnId, string][] = [
    ["vm", _("VM")],
    ["vcenter", _("vCenter")],
    ["phase", _("Phase")],
    ["lastRound", _("Last round")],
    ["ready", _("Cutover")],
    ["state", _("State")],
  ];
  const header = (id: ColumnId, text: string) => <SortableHeader key={id} id={id} text={text} sort={sort} onSort={setSort} />;

  const rows = sortRows(migrations.map(toRow), sort.by, sort.ascending);
  return (
    <PageSection>
      <Toolbar>
        <ToolbarContent>
          <ToolbarItem>
            <Title headingLevel="h1">{_("VMware migrations")}</Title>
          </ToolbarItem>
          <ToolbarItem align={{ default: "alignEnd" }}>{newButton}</ToolbarItem>
        </ToolbarContent>
      </Toolbar>
      {error && <ErrorAlert error={error} />}
      {unreadable.length > 0 && (
        <Alert variant="warning" isInline title={format(_("$0 workdirs could not be read"), unreadable.length)}>
          <ul>
            {unreadable.map((u) => (
              <li key={u.workdir}>
                <code>{u.workdir}</code>: {u.error.code} — {u.error.message}
              </li>
            ))}
          </ul>
        </Alert>
      )}
      {!loaded && <Spinner aria-label={_("Loading")} />}
      {loaded && !error && rows.length === 0 && (
        <EmptyState titleText={_("No migrations yet")} headingLevel="h2" id="v2k-empty">
          <EmptyStateBody>{_("Start by connecting to a vCenter and choosing the VM to move to this host.")}</EmptyStateBody>
          <EmptyStateFooter>
            <EmptyStateActions>{newButton}</EmptyStateActions>
          </EmptyStateFooter>
        </EmptyState>
      )}
      {rows.length > 0 && (
        <table className="pf-v6-c-table pf-m-grid-md" role="grid" aria-label={_("Migrations")} id="v2k-migrations">
          <thead className="pf-v6-c-table__thead">
            <tr className="pf-v6-c-table__tr">{columns.map(([id, text]) => header(id, text))}</tr>
          </thead>
          <tbody className="pf-v6-c-table__tbody">
            {rows.map((r) => (
              <tr key={r.workdir} className="pf-v6-c-table__tr v2k-migration-row" data-workdir={r.workdir}>
                <td className="pf-v6-c-table__td" data-label={_("VM")}>
                  <Button variant="link" isInline onClick={() => state.go({ view: "migration", workdir: r.workdir })}>
                    {r.vm}
                  </Button>
                </td>
                <td className="pf-v6-c-table__td" data-label={_("vCenter")}>
                  {r.vcenter}
                </td>
                <td className="pf-v6-c-table__td v2k-phase" data-label={_("Phase")}>
                  {phaseLabel(r.phase)}
                </td>
                <td className="pf-v6-c-table__td" data-label={_("Last round")}>
                  {r.lastChangedBytes === null ? "-" : `${formatBytes(r.lastChangedBytes)} / ${formatDuration(r.lastDurationMs ?? 0)}`}
                </td>
                <td className="pf-v6-c-table__td" data-label={_("Cutover")}>
                  {r.ready ? <Label color="green">{_("Ready")}</Label> : "-"}
                </td>
                <td className="pf-v6-c-table__td" data-label={_("State")}>
                  {stateLabel(r.state)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </PageSection>
  );
}

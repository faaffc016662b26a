// The page: admin check, then the view the URL asks for.
import { type AppState } from "../state/app-state";
import { useAppState } from "../hooks";
import { _ } from "../i18n";
import { EmptyState, EmptyStateBody, Page, PageSection } from "../pf";
import { MigrationsList } from "./list/MigrationsList";
import { MigrationPage } from "./migration/MigrationPage";
import { Notices } from "./Notices";
import { Wizard } from "./wizard/Wizard";

export function App({ state }: { state: AppState }) {
  useAppState(state);
  if (state.admin === "denied") {
    return (
      <Page className="v2k-page">
        <PageSection>
          <EmptyState titleText={_("Administrative access is required")} headingLevel="h2" id="v2k-admin-required">
            <EmptyStateBody>
              {_(
                "Migrating VMs changes this host and the vCenter. Turn on administrative access in the Cockpit top bar, then reload this page.",
              )}
            </EmptyStateBody>
          </EmptyState>
        </PageSection>
      </Page>
    );
  }
  const route = state.route;
  return (
    <Page className="v2k-page">
      {route.view === "list" && <MigrationsList state={state} />}
      {route.view === "new" && <Wizard state={state} />}
      {route.view === "migration" && <MigrationPage state={state} workdir={route.workdir} />}
      <Notices state={state} />
    </Page>
  );
}

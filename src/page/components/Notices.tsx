// Toasts for steps that ended (src/page/state/notices.ts): each says what ended and how, opens its
// migration, and stays until closed (a failure at night must still be there in the morning).
import { type AppState } from "../state/app-state";
import { _ } from "../i18n";
import { Alert, AlertActionCloseButton, AlertActionLink, AlertGroup } from "../pf";

export function Notices({ state }: { state: AppState }) {
  const route = state.route;
  const openHere = (workdir: string) => route.view === "migration" && route.workdir === workdir;
  return (
    <AlertGroup isToast isLiveRegion id="v2k-notices">
      {state.notices.map((n) => (
        <Alert
          key={n.key}
          variant={n.variant}
          title={n.title}
          className="v2k-notice"
          data-workdir={n.workdir}
          actionClose={<AlertActionCloseButton onClose={() => state.dismissNotice(n.key)} />}
          actionLinks={
            !openHere(n.workdir) && (
              <AlertActionLink
                onClick={() => {
                  state.dismissNotice(n.key);
                  state.go({ view: "migration", workdir: n.workdir });
                }}
              >
                {_("Open migration")}
              </AlertActionLink>
            )
          }
        >
          {n.detail}
        </Alert>
      ))}
    </AlertGroup>
  );
}

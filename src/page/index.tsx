// Entry point: theme, translations (po.js already fed cockpit.locale), config, then the app.
import "@patternfly/react-core/dist/styles/base.css";
import "./page.css";
import { createRoot } from "react-dom/client";
import { App } from "./components/App";
import { AppState } from "./state/app-state";
import { loadPageConfig } from "./host/config";
import { followCockpitTheme } from "./theme";
import { cockpit } from "./host/cockpit";

async function start(): Promise<void> {
  followCockpitTheme();
  document.documentElement.lang = cockpit().language || "en";
  await loadPageConfig();
  const state = new AppState();
  state.attachRouter();
  void state.checkAdmin();
  const root = document.getElementById("app");
  if (root) createRoot(root).render(<App state={state} />);
}

void start();

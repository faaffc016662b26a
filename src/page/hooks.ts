// Re-render on AppState "changed".
import { useEffect, useReducer } from "react";
import { type AppState } from "./state/app-state";

export function useAppState(state: AppState): void {
  const [, bump] = useReducer((n: number) => n + 1, 0);
  useEffect(() => state.on("changed", bump), [state]);
}

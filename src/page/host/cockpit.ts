// Access to the runtime `cockpit` object (window.cockpit from ../base1/cockpit.js). Tests install a
// stand-in with setCockpit(); nothing else in the page reads the global.
import type { Cockpit } from "./cockpit-types";

let instance: Cockpit | undefined;

export function setCockpit(c: Cockpit | undefined): void {
  instance = c;
}

export function cockpit(): Cockpit {
  if (instance) return instance;
  const global = (globalThis as { cockpit?: Cockpit }).cockpit;
  if (!global) throw new Error("cockpit.js is not loaded");
  instance = global;
  return global;
}

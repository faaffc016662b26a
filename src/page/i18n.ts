// gettext through Cockpit (po.<lang>.js loaded by index.html feeds cockpit.locale). Outside Cockpit
// (unit tests without a stand-in) strings come back untranslated.
import { cockpit } from "./host/cockpit";

function safeCockpit() {
  try {
    return cockpit();
  } catch {
    return undefined;
  }
}

export function _(message: string): string {
  return safeCockpit()?.gettext(message) ?? message;
}

/** Fills $0, $1... like cockpit.format. */
export function format(template: string, ...args: (string | number)[]): string {
  return template.replace(/\$([0-9]+)/g, (m, i: string) => {
    const v = args[Number(i)];
    return v === undefined ? m : String(v);
  });
}

/** Cockpit's language for this session ("ko", "en"...): the helper speaks it too (ABLESTACK_V2K_LANG). */
export function pageLanguage(): string {
  return safeCockpit()?.language ?? "en";
}

/** The BCP 47 locale of Cockpit's language ("ko" -> "ko-KR"), not the browser's: dates follow the page's language. */
export function pageLocale(): string {
  const lang = pageLanguage();
  return lang === "ko" ? "ko-KR" : lang.replace("_", "-");
}

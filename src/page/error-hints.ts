// The next step of an error in the page's language. Korean comes from the one table the helper uses too
// (src/shared/i18n/error-docs-ko.ts), so a code reads the same in the page, the terminal and events.log; an
// English page shows the helper's own hint, which names the exact paths and commands. Errors the page makes
// itself (a spawn failure, an answer it cannot read) carry an English hint of their own and go the same way.
import { type ErrorInfo } from "../shared/errors";
import { errorDocsKo } from "../shared/i18n/error-docs-ko";
import { helperOwnHint } from "../shared/i18n/localize-error";
import { pageLanguage } from "./i18n";

function koreanPage(): boolean {
  return /^ko([_-]|$)/i.test(pageLanguage());
}

/** The hint the page shows first: the code's Korean action on a Korean page, else the helper's own hint. */
export function shownHint(error: ErrorInfo): string {
  const ko = koreanPage() ? errorDocsKo[error.code] : undefined; // a newer helper's code: its own hint
  return ko ? ko.action : helperOwnHint(error);
}

/** The helper's own hint when the page shows another one first (for "show more"), else null. */
export function helperHintBeside(error: ErrorInfo): string | null {
  const own = helperOwnHint(error);
  return shownHint(error) === own ? null : own;
}

// An error as a Korean admin reads it: the code's meaning and action in Korean first, then the helper's
// own English message and hint, which name the disk, path or command concerned.
import { type ErrorInfo } from "../errors";
import { errorDocsKo } from "./error-docs-ko";
import { type Lang } from "./lang";

export function localizeError(info: ErrorInfo, lang: Lang): ErrorInfo {
  const ko = errorDocsKo[info.code];
  if (lang !== "ko" || !ko || info.message.startsWith(ko.meaning)) return info; // already in Korean
  return { ...info, message: `${ko.meaning}: ${info.message}`, hint: `${ko.action}\n${info.hint}` };
}

/** The helper's own hint without the Korean action a Korean helper put ahead of it (a page shows that one itself). */
export function helperOwnHint(info: ErrorInfo): string {
  const ko = errorDocsKo[info.code];
  const lead = ko ? `${ko.action}\n` : null;
  return lead && info.hint.startsWith(lead) ? info.hint.slice(lead.length) : info.hint;
}

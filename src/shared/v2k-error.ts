import { type ErrorCode, type ErrorInfo } from "./errors";
import { redact } from "./redact";
import { localizeError } from "./i18n/localize-error";
import { processLang } from "./i18n/lang";

/** The one error type that crosses module boundaries. Adapters convert foreign failures into it once. */
export class V2kError extends Error {
  readonly code: ErrorCode;
  readonly hint: string;
  readonly detail: string | undefined;

  constructor(code: ErrorCode, message: string, hint: string, options: { detail?: string; cause?: unknown } = {}) {
    super(redact(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "V2kError";
    this.code = code;
    this.hint = redact(hint);
    this.detail = options.detail === undefined ? undefined : redact(options.detail);
  }

  /** As reported (result line, events.log, the manifest's lastError): in the helper's language. */
  toInfo(): ErrorInfo {
    const info: ErrorInfo = { code: this.code, message: this.message, hint: this.hint };
    if (this.detail !== undefined) info.detail = this.detail;
    return localizeError(info, processLang());
  }
}

/** Anything thrown, as ErrorInfo: V2kError keeps its code; everything else is a bug (INTERNAL). */
export function toErrorInfo(err: unknown): ErrorInfo {
  if (err instanceof V2kError) return err.toInfo();
  const e = err instanceof Error ? err : new Error(String(err));
  const info: ErrorInfo = {
    code: "INTERNAL",
    message: redact(e.message),
    hint: "This is a bug in ablestack-v2k; report it with events.log.",
    detail: redact(e.stack ?? e.message),
  };
  return localizeError(info, processLang());
}

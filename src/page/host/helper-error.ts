// The page's error type: always an ErrorInfo (code, message, hint, detail) as the helper reports it,
// or one built here when the failure happened before the helper could answer.
import { type ErrorCode, type ErrorInfo } from "../../shared/errors";
import type { CockpitProcessError } from "./cockpit-types";

export class HelperError extends Error {
  readonly info: ErrorInfo;

  constructor(info: ErrorInfo) {
    super(info.message);
    this.name = "HelperError";
    this.info = info;
  }

  get code(): ErrorCode {
    return this.info.code;
  }
}

export function helperError(code: ErrorCode, message: string, hint: string, detail?: string): HelperError {
  return new HelperError(detail === undefined ? { code, message, hint } : { code, message, hint, detail });
}

/** A failure of cockpit.spawn itself (no result line from the helper). */
export function fromSpawnFailure(program: string, error: CockpitProcessError | undefined, output: string): HelperError {
  const problem = error?.problem ?? null;
  const detail = [error?.message, output].filter((s) => s && s.trim() !== "").join("\n") || undefined;
  if (problem === "access-denied" || problem === "authentication-failed") {
    return helperError(
      "ADMIN_REQUIRED",
      "Administrative access is required",
      "Turn on administrative access in Cockpit and retry.",
      detail,
    );
  }
  if (problem === "not-found") {
    return helperError("TOOL_MISSING", `${program} is not installed`, "Run 'make install' (or 'make devel-install') on this host.", detail);
  }
  if (problem === "terminated" || problem === "cancelled") {
    return helperError("CANCELLED", "The operation was cancelled", "Run it again: it continues from the workdir.", detail);
  }
  if (problem) {
    return helperError("PROCESS_FAILED", `${program} could not run: ${problem}`, "Check the connection to the host and retry.", detail);
  }
  const status = error?.exit_status ?? null;
  const signal = error?.exit_signal ?? null;
  const how = signal ? `was killed by ${signal}` : status !== null ? `exited with status ${status}` : "ended";
  return helperError("PROCESS_FAILED", `${program} ${how} without a result`, "See the detail for the helper's output.", detail);
}

export function toHelperError(err: unknown): HelperError {
  if (err instanceof HelperError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return helperError("INTERNAL", message, "This is a bug in the ablestack-v2k page; report it with the browser console output.");
}

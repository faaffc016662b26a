// Runs the host helper through cockpit.spawn: `ablestack_v2k --json [--workdir W] ARGS`, secrets on
// stdin only, stdout split into JSON lines validated with the shared event schema. Unknown event types
// are ignored (a newer helper must not break this page); malformed lines are reported.
import { type z } from "zod";
import { parseEventLine, type V2kEvent } from "../../shared/events";
import { type ErrorInfo } from "../../shared/errors";
import { cockpit } from "./cockpit";
import type { CockpitProcessError } from "./cockpit-types";
import { HelperError, fromSpawnFailure, helperError } from "./helper-error";
import { LineSplitter } from "./line-splitter";
import { pageConfig } from "./config";
import { pageLanguage } from "../i18n";

export interface RunHelperRequest<S extends z.ZodTypeAny> {
  args: string[];
  workdir?: string;
  /** Written to the helper's stdin, then stdin is closed (passwords travel here, never in argv). */
  stdin?: string;
  /** Validates the result's data. */
  result: S;
  onEvent?: (event: V2kEvent) => void;
  /** Lines that were neither a known event nor an unknown type (kept for the error detail too). */
  onMalformed?: (line: string) => void;
}

export interface HelperRun<T> {
  promise: Promise<T>;
  /** Stops the helper (SIGTERM through the bridge); the promise rejects with CANCELLED or the helper's result. */
  cancel(): void;
}

/** The helper command's words ("sync incr"), without options and their values. */
export function commandWords(args: string[]): string[] {
  const i = args.findIndex((a) => a.startsWith("-"));
  return (i === -1 ? args : args.slice(0, i)).slice(0, 2);
}

/** The helper creates and lists workdirs under the page's configured root, and speaks the page's language. */
export function helperEnviron(): string[] {
  return [`V2K_STATE_DIR=${pageConfig().workdirRoot}`, `ABLESTACK_V2K_LANG=${pageLanguage()}`];
}

export function helperArgv(args: string[], workdir?: string): string[] {
  return [pageConfig().helper, "--json", ...(workdir ? ["--workdir", workdir] : []), ...args];
}

/** Decides the outcome from what the helper printed (exported for the component tests). */
export function settle<S extends z.ZodTypeAny>(
  schema: S,
  result: V2kEvent | undefined,
  malformed: string[],
  failure: CockpitProcessError | undefined,
  program: string,
): z.output<S> {
  if (result && result.type === "result") {
    if (!result.ok) {
      const info: ErrorInfo = result.error ?? {
        code: "INTERNAL",
        message: "The helper failed without an error",
        hint: "Report this with events.log.",
      };
      throw new HelperError(info);
    }
    const parsed = schema.safeParse(result.data);
    if (!parsed.success) {
      throw helperError(
        "HELPER_OUTPUT_INVALID",
        `The helper's answer to '${result.command}' has an unexpected shape`,
        "The page and the helper are different versions: reinstall both with 'make install'.",
        parsed.error.issues
          .slice(0, 5)
          .map((i) => `${i.path.join(".")}: ${i.message}`)
          .join("\n"),
      );
    }
    return parsed.data;
  }
  const err = fromSpawnFailure(program, failure, malformed.join("\n"));
  if (!failure && err.code === "PROCESS_FAILED") {
    throw helperError(
      "HELPER_OUTPUT_INVALID",
      `${program} printed no result line`,
      "Reinstall the helper with 'make install'.",
      malformed.join("\n") || undefined,
    );
  }
  throw err;
}

export function runHelper<S extends z.ZodTypeAny>(req: RunHelperRequest<S>): HelperRun<z.output<S>> {
  const argv = helperArgv(req.args, req.workdir);
  const program = ["ablestack_v2k", ...commandWords(req.args)].join(" ");
  const splitter = new LineSplitter();
  const malformed: string[] = [];
  let result: V2kEvent | undefined;

  const handleLine = (line: string) => {
    const parsed = parseEventLine(line);
    if ("event" in parsed) {
      if (parsed.event.type === "result") result = parsed.event;
      req.onEvent?.(parsed.event);
    } else if (parsed.ignored === "malformed") {
      malformed.push(line);
      req.onMalformed?.(line);
    }
  };

  const proc = cockpit().spawn(argv, { superuser: "require", err: "message", environ: helperEnviron() });
  proc.stream((chunk) => splitter.push(chunk).forEach(handleLine));
  proc.input(req.stdin ?? "");

  const promise = new Promise<z.output<S>>((resolve, reject) => {
    const finish = (failure: CockpitProcessError | undefined) => {
      splitter.flush().forEach(handleLine);
      try {
        resolve(settle(req.result, result, malformed, failure, program));
      } catch (e) {
        reject(e);
      }
    };
    proc.then(
      () => finish(undefined),
      (e: CockpitProcessError) => finish(e),
    );
  });
  return { promise, cancel: () => void proc.close("terminated") };
}

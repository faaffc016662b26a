// The built helper run in the background by a test that acts while it works (kill a server, expire a
// session, scan /proc): its pid at once, each JSON line as it comes, and the outcome at the end.
import { spawn } from "node:child_process";
import { join } from "node:path";

const HELPER = join(process.cwd(), "dist/ablestack_v2k");

export interface Finished {
  status: number | null;
  /** The last JSON line (the result), {} when the helper died mid-line. */
  result: Record<string, any>;
  stdout: string;
  stderr: string;
}

export interface Started {
  pid: number;
  done: Promise<Finished>;
}

export interface StartOptions {
  /** Added to this process's environment; undefined removes a variable. */
  env?: Record<string, string | undefined>;
  /** Written to stdin, which is then closed (stdin is /dev/null without it). */
  input?: string;
  /** Sees each non-empty stdout line and the helper's pid. */
  onLine?: (line: string, pid: number) => void;
}

/** `ablestack_v2k --json <args>` in the background. */
export function startHelper(args: string[], o: StartOptions = {}): Started {
  const env: Record<string, string | undefined> = { ...process.env, ...(o.env ?? {}) };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  const child = spawn(HELPER, ["--json", ...args], {
    env: env as Record<string, string>,
    stdio: [o.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d: Buffer) => {
    const text = d.toString();
    stdout += text;
    if (o.onLine) for (const l of text.split("\n")) if (l.trim() !== "") o.onLine(l, child.pid!);
  });
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  if (o.input !== undefined) child.stdin!.end(o.input);
  const done = new Promise<Finished>((resolve) =>
    child.on("close", (status) => {
      let result: Record<string, any> = {};
      try {
        result = JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}");
      } catch {
        /* killed mid-line, or no result line */
      }
      resolve({ status, result, stdout, stderr });
    }),
  );
  return { pid: child.pid!, done };
}

/** Polls `probe` until it returns something other than undefined; throws after `ms`. */
export async function waitFor<T>(what: string, ms: number, probe: () => T | undefined | Promise<T | undefined>, everyMs = 100): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

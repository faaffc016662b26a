// Runs the real helper CLI (tsx entry, --json) for the cutover integration tests and parses its
// result line; lab access comes from the test lab through the govc environment.
import { join } from "node:path";
import { execa } from "execa";
import { type TestLab, repoRoot } from "../../support/lab";

export interface CliResult {
  code: number;
  ok: boolean;
  data: any;
  error: { code: string; message: string; hint: string; detail?: string } | undefined;
  events: any[];
  stderr: string;
}

export function labEnv(lab: TestLab, extra: Record<string, string> = {}): Record<string, string> {
  return {
    GOVC_URL: lab.url,
    GOVC_USERNAME: lab.username,
    GOVC_PASSWORD: lab.password,
    GOVC_THUMBPRINT: lab.thumbprint,
    ...extra,
  };
}

export const entry = join(repoRoot, "src/app/entry.ts");

export async function cli(
  args: string[],
  opts: { env?: Record<string, string>; timeoutMs?: number; input?: string } = {},
): Promise<CliResult> {
  const r = await execa(process.execPath, ["--import", "tsx", entry, "--json", ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...(opts.env ?? {}) },
    reject: false,
    timeout: opts.timeoutMs ?? 300_000,
    ...(opts.input !== undefined ? { input: opts.input } : { stdin: "ignore" as const }),
  });
  const events = String(r.stdout)
    .split("\n")
    .filter((l) => l.trim().startsWith("{"))
    .map((l) => JSON.parse(l));
  const result = events.filter((e) => e.type === "result").at(-1);
  return { code: r.exitCode ?? -1, ok: result?.ok === true, data: result?.data, error: result?.error, events, stderr: String(r.stderr) };
}

/** cli() that must succeed; the error (code, message, detail) is in the assertion message otherwise. */
export async function cliOk(args: string[], opts: Parameters<typeof cli>[1] = {}): Promise<any> {
  const r = await cli(args, opts);
  if (!r.ok || r.code !== 0)
    throw new Error(`ablestack_v2k ${args.join(" ")} failed (exit ${r.code}): ${JSON.stringify(r.error)}\n${r.stderr.slice(-2000)}`);
  return r.data;
}

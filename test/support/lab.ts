// Test support: a real lab in its own process (so tests that block on the helper cannot starve it),
// in a fresh temp dir that stop() removes; plus a runner for pyVmomi scripts under test/lab-py.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { request as httpsRequest } from "node:https";
import { type LabFile, readLabFileIfAny } from "../../src/lab/labfile";
import { probeLab } from "../../src/lab/cli/start";
import { exec } from "../../src/kit/exec";
import { V2kError } from "../../src/shared/v2k-error";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const START_TIMEOUT_MS = 240_000;

export interface TestLab {
  dir: string;
  url: string;
  username: string;
  password: string;
  thumbprint: string;
  certFile: string;
  host: string;
  port: number;
  /** Parsed lab.json of the current process. */
  info: LabFile;
  /** Output of the lab process so far (for assertion messages). */
  output(): string;
  /** Kills the lab and removes its directory. */
  stop(): Promise<void>;
  /** Stops the lab process and starts it again on the same directory and address (optionally as another vSphere generation). */
  restart(opts?: { apiVersion?: string }): Promise<void>;
}

/** The lab child process, reduced to what the helpers need. */
interface LabProc {
  pid: number | undefined;
  running(): boolean;
  kill(signal: NodeJS.Signals): void;
  done: Promise<void>;
}

const live = new Set<LabProc>();
const liveDirs = new Set<string>();
// A test file that dies without calling stop() still leaves no lab process or directory behind.
process.once("exit", () => {
  for (const c of live) c.kill("SIGKILL");
  for (const d of liveDirs) rmSync(d, { recursive: true, force: true });
});

/** The fields of a TestLab that come from the lab process's lab.json (they change when it restarts). */
export function labFields(
  info: LabFile,
): Pick<TestLab, "url" | "username" | "password" | "thumbprint" | "certFile" | "host" | "port" | "info"> {
  const u = new URL(info.url);
  return {
    url: info.url,
    username: info.username,
    password: info.password,
    thumbprint: info.thumbprint,
    certFile: info.certFile,
    host: u.hostname,
    port: Number(u.port),
    info,
  };
}

/** Waits until lab process `pid` wrote D/lab.json and answers on its URL; throws with its output if it exits first. */
export async function waitForLab(dir: string, pid: number | undefined, running: () => boolean, out: () => string): Promise<LabFile> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (!running()) throw new Error(`lab process exited during start-up:\n${out()}`);
    const info = readLabFileIfAny(dir);
    if (info && info.pid === pid && (await probeLab(info.url, readFileSync(info.certFile, "utf8"), 2000))) return info;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`lab did not answer within ${START_TIMEOUT_MS / 1000} s:\n${out()}`);
}

async function killChild(child: LabProc): Promise<void> {
  if (child.running()) {
    child.kill("SIGTERM");
    const t = setTimeout(() => child.kill("SIGKILL"), 15_000);
    await child.done;
    clearTimeout(t);
  }
  live.delete(child);
}

/** The govc-style environment the helper reads a lab's address and credentials from (never argv). */
export function labGovcEnv(info: Pick<LabFile, "url" | "username" | "password" | "thumbprint">): Record<string, string> {
  return {
    GOVC_URL: info.url,
    GOVC_USERNAME: info.username,
    GOVC_PASSWORD: info.password,
    GOVC_THUMBPRINT: info.thumbprint,
    GOVC_INSECURE: "",
  };
}

/** Starts a lab (scenario "default" unless given) and waits until it answers. */
export async function startTestLab(opts: { scenario?: string; args?: string[] } = {}): Promise<TestLab> {
  const dir = mkdtempSync(join(tmpdir(), "v2k-lab-test-"));
  liveDirs.add(dir);
  let log = "";
  let child: LabProc | undefined;
  const spawn = (listen?: string, apiVersion?: string): LabProc => {
    const args = ["--import", "tsx", join(repoRoot, "src/app/entry.ts"), "lab", "start", "--dir", dir];
    if (apiVersion) args.push("--api-version", apiVersion);
    if (opts.scenario) args.push("--scenario", opts.scenario);
    if (listen) args.push("--listen", listen);
    args.push(...(opts.args ?? []));
    const c = execa(process.execPath, args, { cwd: repoRoot, stdin: "ignore", all: true, reject: false, buffer: false });
    c.all?.on("data", (d: Buffer) => {
      log = (log + d.toString("utf8")).slice(-65536);
    });
    let exited = false;
    const proc: LabProc = {
      pid: c.pid,
      running: () => !exited,
      kill: (sig) => {
        if (!exited) c.kill(sig);
      },
      done: c
        .then(
          () => undefined,
          () => undefined,
        )
        .finally(() => {
          exited = true;
        }),
    };
    live.add(proc);
    return proc;
  };
  const lab = {} as TestLab;
  const adopt = (info: LabFile) => Object.assign(lab, labFields(info));
  try {
    child = spawn();
    adopt(await waitForLab(dir, child.pid, child.running, () => log));
  } catch (e) {
    if (child) await killChild(child);
    rmSync(dir, { recursive: true, force: true });
    liveDirs.delete(dir);
    throw e;
  }
  Object.assign(lab, {
    dir,
    output: () => log,
    async stop() {
      if (child) await killChild(child);
      child = undefined;
      rmSync(dir, { recursive: true, force: true });
      liveDirs.delete(dir);
    },
    async restart(ropts: { apiVersion?: string } = {}) {
      if (child) await killChild(child);
      child = spawn(`${lab.host}:${lab.port}`, ropts.apiVersion);
      adopt(await waitForLab(dir, child.pid, child.running, () => log));
    },
  });
  return lab;
}

/** Runs a pyVmomi script of test/lab-py with JSON input on stdin; returns its last stdout line, parsed. */
export async function pyvmomi(script: string, input: object, opts: { timeoutMs?: number } = {}): Promise<any> {
  const path = isAbsolute(script) ? script : join(repoRoot, "test/lab-py", script);
  try {
    const r = await exec("/usr/bin/python3", [path], { timeoutMs: opts.timeoutMs ?? 120_000, input: JSON.stringify(input) });
    const last = r.stdout.trim().split("\n").at(-1) ?? "";
    return JSON.parse(last);
  } catch (e) {
    if (e instanceof V2kError) throw new Error(`${script}: ${e.message}\n${e.detail ?? ""}`);
    throw e;
  }
}

/** The input the lab-py scripts expect: lab.json fields plus script arguments. */
export function labInput(lab: TestLab, extra: object = {}): object {
  return { ...lab.info, ...extra };
}

export interface HttpReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** One HTTPS request to the lab, trusting only its certificate. */
export function labRequest(
  lab: TestLab,
  opts: { method: string; path: string; headers?: Record<string, string>; body?: string | Buffer; timeoutMs?: number },
): Promise<HttpReply> {
  return new Promise((resolveReq, reject) => {
    const req = httpsRequest(
      {
        host: lab.host,
        port: lab.port,
        method: opts.method,
        path: opts.path,
        headers: opts.headers ?? {},
        ca: readFileSync(lab.certFile, "utf8"),
        timeout: opts.timeoutMs ?? 60_000,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolveReq({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error("request timed out")));
    req.on("error", reject);
    req.end(opts.body);
  });
}

export function soapEnvelope(inner: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n<soapenv:Envelope xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" ' +
    'xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ' +
    `xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soapenv:Body>${inner}</soapenv:Body></soapenv:Envelope>`
  );
}

/** POST /sdk with a raw envelope body (optionally with a session cookie). */
export function soapCall(lab: TestLab, inner: string, cookie?: string): Promise<HttpReply> {
  const headers: Record<string, string> = { "Content-Type": "text/xml; charset=UTF-8", SOAPAction: '"urn:vim25/6.7.1"' };
  if (cookie) headers["Cookie"] = cookie;
  return labRequest(lab, { method: "POST", path: "/sdk", headers, body: soapEnvelope(inner) });
}

const xmlText = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Logs in with raw SOAP; returns the Set-Cookie value as pyVmomi would echo it. */
export async function soapLogin(lab: TestLab): Promise<string> {
  const r = await soapCall(
    lab,
    `<Login xmlns="urn:vim25"><_this type="SessionManager">SessionManager</_this><userName>${xmlText(lab.username)}</userName><password>${xmlText(lab.password)}</password></Login>`,
  );
  const cookie = r.headers["set-cookie"]?.[0];
  if (r.status !== 200 || !cookie) throw new Error(`login failed: ${r.status} ${r.body.toString("utf8")}`);
  return cookie;
}

/** Calls the lab's control API (/v2k-lab/...) with basic auth; throws on a non-2xx reply. */
export async function labControl(lab: TestLab, method: string, route: string, body?: object): Promise<any> {
  const auth = Buffer.from(`${lab.username}:${lab.password}`).toString("base64");
  const r = await labRequest(lab, {
    method,
    path: `/v2k-lab/${route}`,
    headers: { Authorization: `Basic ${auth}`, "Content-Type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const parsed = r.body.length ? JSON.parse(r.body.toString("utf8")) : null;
  if (r.status < 200 || r.status >= 300) throw new Error(`control ${method} ${route}: ${r.status} ${r.body.toString("utf8")}`);
  return parsed;
}

/** Runs ops.py (a list of pyVmomi operations) and returns its per-op results. */
export async function labOps(lab: TestLab, ops: object[], extra: object = {}): Promise<any[]> {
  const out = await pyvmomi("ops.py", { ...lab.info, ...extra, ops }, { timeoutMs: 180_000 });
  return out.results;
}

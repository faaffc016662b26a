// `lab start --dir D`: serve the vSphere lab of a directory (created from a scenario when empty).
// Foreground until SIGINT/SIGTERM, or --background: detach, wait until it answers, return.
import { z } from "zod";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { request } from "node:https";
import { basename, join, resolve } from "node:path";
import { availableParallelism } from "node:os";
import { defineCommand } from "../../kit/cli/command";
import { V2kError } from "../../shared/v2k-error";
import { openLabModel } from "../model/index";
import { handleControl } from "../control/routes";
import { startLabServer, type LabServer } from "../server";
import { ensureLabTls } from "../tls";
import { type LabFile, labFilePath, readLabFileIfAny, writeLabFile } from "../labfile";
import { processAlive } from "../../kit/process";
import { API_PROFILES, versionProfile } from "../soap/versions";
import { startJob } from "../../kit/jobs/index";

const DEFAULT_HOST = "127.0.0.2";

/** One datastore worker per core (TLS is the cost of a read), at least 2 and at most 4. */
function defaultDatastoreWorkers(): number {
  return Math.min(4, Math.max(2, availableParallelism()));
}
const BACKGROUND_READY_MS = 180_000;

const options = z.object({
  dir: z.string().min(1, "--dir is required"),
  listen: z
    .string()
    .regex(/^[^\s:]+:\d{1,5}$/, "--listen takes HOST:PORT")
    .optional(),
  scenario: z.string().min(1).optional(),
  background: z.boolean().optional(),
  "api-version": z.enum(API_PROFILES, { message: `--api-version takes one of ${API_PROFILES.join(", ")}` }).optional(),
  "datastore-workers": z
    .string()
    .regex(/^\d{1,2}$/, "--datastore-workers takes a number from 0 to 16")
    .transform(Number)
    .refine((n) => n <= 16, "--datastore-workers takes a number from 0 to 16")
    .optional(),
  positionals: z.array(z.string()).max(0),
});

interface StartResult {
  url: string;
  dir: string;
  labFile: string;
  thumbprint: string;
  pid: number;
  background: boolean;
}

function parseListen(listen: string | undefined, previous: LabFile | undefined): { host: string; port: number; fixed: boolean } {
  if (listen) {
    const i = listen.lastIndexOf(":");
    return { host: listen.slice(0, i), port: Number(listen.slice(i + 1)), fixed: true };
  }
  // A restart keeps the previous URL when its port is still free.
  if (previous) {
    const u = new URL(previous.url);
    return { host: u.hostname, port: Number(u.port), fixed: false };
  }
  return { host: DEFAULT_HOST, port: 0, fixed: false };
}

/** GET /sdk/vimServiceVersions.xml, trusting only the lab's own certificate. */
export function probeLab(url: string, ca: string, timeoutMs = 5000): Promise<boolean> {
  return new Promise((resolveProbe) => {
    const u = new URL("/sdk/vimServiceVersions.xml", url);
    const req = request(u, { ca, timeout: timeoutMs }, (res) => {
      res.resume();
      resolveProbe(res.statusCode === 200);
    });
    req.on("error", () => resolveProbe(false));
    req.on("timeout", () => req.destroy());
    req.end();
  });
}

async function runForeground(
  o: z.output<typeof options>,
  dir: string,
  signal: AbortSignal,
  log: (m: string) => void,
): Promise<StartResult> {
  const previous = readLabFileIfAny(dir);
  if (previous?.pid && previous.pid !== process.pid && processAlive(previous.pid)) {
    throw new V2kError(
      "LAB_ALREADY_RUNNING",
      `A lab (pid ${previous.pid}) already serves ${dir}`,
      `Stop it first: 'ablestack_v2k lab stop --dir ${dir}'.`,
    );
  }
  const listen = parseListen(o.listen, previous);
  const model = await openLabModel(dir, o.scenario === undefined ? {} : { scenario: o.scenario });
  let server: LabServer | undefined;
  try {
    const tls = await ensureLabTls(dir, listen.host);
    const credentials = previous
      ? { username: previous.username, password: previous.password }
      : { username: "administrator@vsphere.local", password: randomBytes(18).toString("base64url") };
    const instanceUuid = previous?.instanceUuid ?? randomUUID();
    // A restart keeps the generation the lab was started with unless another is asked for.
    const profile = versionProfile(o["api-version"] ?? previous?.apiVersion);
    const serve = (port: number) =>
      startLabServer({
        host: listen.host,
        port,
        tls,
        model,
        credentials,
        instanceUuid,
        profile,
        control: (req) => handleControl(model, req),
        datastoreWorkers: o["datastore-workers"] ?? defaultDatastoreWorkers(),
      });
    try {
      server = await serve(listen.port);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (!listen.fixed && code === "EADDRINUSE") server = await serve(0);
      else if (code === "EADDRINUSE" || code === "EADDRNOTAVAIL" || code === "EACCES") {
        throw new V2kError(
          "USAGE",
          `Cannot listen on ${listen.host}:${listen.port} (${code})`,
          "Choose another --listen HOST:PORT (a local address and a free port).",
        );
      } else throw err;
    }
    const url = `https://${listen.host.includes(":") ? `[${listen.host}]` : listen.host}:${server.port}/sdk`;
    const inv = model.inventory();
    const info: LabFile = {
      url,
      ...credentials,
      thumbprint: tls.thumbprint,
      certFile: tls.certPath,
      datacenter: inv.datacenter.name,
      pid: process.pid,
      startedAt: new Date().toISOString(),
      instanceUuid,
      apiVersion: profile.name,
      vms: inv.vms.map((v) => ({ name: v.name, moref: v.moref, powerState: v.powerState })),
    };
    await writeLabFile(dir, info);
    log(`lab listening at ${url} (thumbprint ${tls.thumbprint}); credentials in ${labFilePath(dir)}`);
    if (!signal.aborted) await new Promise<void>((r) => signal.addEventListener("abort", () => r(), { once: true }));
    log("lab stopping");
    return { url, dir, labFile: labFilePath(dir), thumbprint: tls.thumbprint, pid: process.pid, background: false };
  } finally {
    await server?.close();
    await model.close();
    const last = readLabFileIfAny(dir);
    if (last && last.pid === process.pid) await writeLabFile(dir, { ...last, pid: null });
  }
}

async function runBackground(o: z.output<typeof options>, dir: string): Promise<StartResult> {
  const previous = readLabFileIfAny(dir);
  if (previous?.pid && processAlive(previous.pid)) {
    throw new V2kError(
      "LAB_ALREADY_RUNNING",
      `A lab (pid ${previous.pid}) already serves ${dir}`,
      `Stop it first: 'ablestack_v2k lab stop --dir ${dir}'.`,
    );
  }
  mkdirSync(dir, { recursive: true });
  const args = [...process.execArgv, process.argv[1]!, "lab", "start", "--dir", dir];
  if (o.listen) args.push("--listen", o.listen);
  if (o.scenario) args.push("--scenario", o.scenario);
  if (o["api-version"]) args.push("--api-version", o["api-version"]);
  if (o["datastore-workers"] !== undefined) args.push("--datastore-workers", String(o["datastore-workers"]));
  // the job service: a transient unit under systemd, else a detached session; the lab is its own job
  const { pid } = await startJob({
    dir,
    name: `lab-${basename(dir)}`,
    label: "lab start",
    argv: [process.execPath, ...args],
    log: "lab.log",
  });
  const deadline = Date.now() + BACKGROUND_READY_MS;
  while (Date.now() < deadline) {
    if (!processAlive(pid)) throw new V2kError("PROCESS_FAILED", "The lab process exited during start-up", `See ${join(dir, "lab.log")}.`);
    const info = readLabFileIfAny(dir);
    if (info?.pid === pid) {
      const { readFileSync } = await import("node:fs");
      if (await probeLab(info.url, readFileSync(info.certFile, "utf8"))) {
        return { url: info.url, dir, labFile: labFilePath(dir), thumbprint: info.thumbprint, pid, background: true };
      }
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  process.kill(pid, "SIGTERM");
  throw new V2kError("TIMEOUT", `The lab did not answer within ${BACKGROUND_READY_MS / 1000} s`, `See ${join(dir, "lab.log")}.`);
}

export const labStartCommand = defineCommand({
  path: ["lab", "start"],
  summary: "serve the vSphere lab (SOAP API, datastore files, control API) from a directory",
  options: {
    dir: { type: "string", description: "lab directory (created from the scenario when empty)", valueName: "DIR" },
    listen: { type: "string", description: "address to listen on (default 127.0.0.2 and a free port)", valueName: "HOST:PORT" },
    scenario: { type: "string", description: "scenario for a new lab (default: default)", valueName: "NAME" },
    background: { type: "boolean", description: "detach and return once the lab answers" },
    "datastore-workers": {
      type: "string",
      description: "processes serving datastore file reads (default: one per core, 2 to 4; 0: the lab process alone)",
      valueName: "N",
    },
    "api-version": {
      type: "string",
      description: "vSphere generation to present: 6.7 (default), 7.0 or 8.0 (kept across restarts)",
      valueName: "VER",
    },
  },
  schema: options,
  render: (d) => {
    const r = d as StartResult;
    return r.background ? `lab running at ${r.url} (pid ${r.pid}); credentials in ${r.labFile}` : `lab stopped (${r.dir})`;
  },
  async run(o, ctx) {
    const dir = resolve(o.dir);
    if (o.background) return runBackground(o, dir);
    return runForeground(o, dir, ctx.signal, (m) => ctx.emitter.log("info", "lab start", m));
  },
});

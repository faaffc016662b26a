// Talks to a running lab's control API (/v2k-lab/) as described by D/lab.json: https with the
// lab's certificate pinned by its SHA-1 thumbprint (checked before any credential is sent), basic auth.
import { readFileSync } from "node:fs";
import { request } from "node:http";
import { connect, type TLSSocket } from "node:tls";
import { join } from "node:path";
import { z } from "zod";
import { ErrorCode } from "../../shared/errors";
import { V2kError } from "../../shared/v2k-error";
import { registerSecret } from "../../shared/redact";

/** The part of D/lab.json (written by `lab start`) this client needs. */
const LabEndpoint = z.object({
  url: z.string().url(),
  username: z.string().min(1),
  password: z.string().min(1),
  thumbprint: z.string().min(1),
});
export type LabEndpoint = z.infer<typeof LabEndpoint>;

const notRunningHint = (dir: string) => `Start the lab with 'ablestack_v2k lab start --dir ${dir}'.`;

export function readLabEndpoint(dir: string): LabEndpoint {
  let text: string;
  try {
    text = readFileSync(join(dir, "lab.json"), "utf8");
  } catch {
    throw new V2kError("LAB_NOT_RUNNING", `No running lab in ${dir} (lab.json missing)`, notRunningHint(dir));
  }
  let parsed;
  try {
    parsed = LabEndpoint.safeParse(JSON.parse(text));
  } catch (e) {
    throw new V2kError("LAB_STATE_INVALID", `${join(dir, "lab.json")} is not JSON`, "Restart the lab to rewrite it.", {
      detail: (e as Error).message,
    });
  }
  if (!parsed.success)
    throw new V2kError("LAB_STATE_INVALID", `${join(dir, "lab.json")} is not a valid lab file`, "Restart the lab to rewrite it.", {
      detail: parsed.error.message,
    });
  registerSecret(parsed.data.password);
  return parsed.data;
}

const normalizeThumbprint = (t: string) => t.replace(/[^0-9a-f]/gi, "").toUpperCase();

export class LabControlClient {
  constructor(
    private readonly endpoint: LabEndpoint,
    private readonly dir: string,
    private readonly timeoutMs = 120_000,
  ) {}

  static fromDir(dir: string, timeoutMs?: number): LabControlClient {
    return new LabControlClient(readLabEndpoint(dir), dir, timeoutMs);
  }

  write(req: {
    vm: string;
    disk: number;
    offset: number;
    length: number;
    seed: number;
  }): Promise<{ vm: string; diskKey: number; offset: number; length: number; seed: number }> {
    return this.call("POST", "/write", req) as never;
  }

  diskHash(req: {
    vm: string;
    disk: number;
    snapshot: string | null;
  }): Promise<{ vm: string; diskKey: number; snapshot: string | null; capacityBytes: number; sha256: string }> {
    return this.call("POST", "/disk-hash", req) as never;
  }

  fault(req: Record<string, unknown>): Promise<{ faults: unknown }> {
    return this.call("POST", "/fault", req) as never;
  }

  inventory(): Promise<unknown> {
    return this.call("GET", "/inventory", undefined);
  }

  async call(method: "GET" | "POST", route: string, body: unknown): Promise<unknown> {
    const url = new URL(this.endpoint.url);
    const port = Number(url.port || 443);
    const host = url.hostname.replace(/^\[|\]$/g, "");
    const socket = await this.connectPinned(host, port);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const auth = Buffer.from(`${this.endpoint.username}:${this.endpoint.password}`).toString("base64");
    return await new Promise<unknown>((resolve, reject) => {
      const req = request({
        method,
        host,
        port,
        path: `/v2k-lab${route}`,
        createConnection: () => socket,
        headers: {
          authorization: `Basic ${auth}`,
          accept: "application/json",
          ...(payload ? { "content-type": "application/json", "content-length": String(payload.length) } : {}),
        },
        timeout: this.timeoutMs,
      });
      req.on("timeout", () =>
        req.destroy(
          new V2kError("TIMEOUT", `the lab did not answer ${route} within ${this.timeoutMs} ms`, "Check the lab's load, or retry."),
        ),
      );
      req.on("error", (e) =>
        reject(e instanceof V2kError ? e : new V2kError("LAB_NOT_RUNNING", `lab request failed: ${e.message}`, notRunningHint(this.dir))),
      );
      req.on("response", (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", reject);
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let data: unknown;
          try {
            data = text ? JSON.parse(text) : undefined;
          } catch {
            reject(
              new V2kError(
                "LAB_STATE_INVALID",
                `the lab answered ${route} with non-JSON (HTTP ${res.statusCode})`,
                "Is another service listening on the lab's port?",
                { detail: text.slice(0, 500) },
              ),
            );
            return;
          }
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) return resolve(data);
          const err = data as { code?: unknown; message?: unknown; hint?: unknown } | undefined;
          const code = ErrorCode.safeParse(err?.code);
          if (status === 401)
            return reject(
              new V2kError("LOGIN_FAILED", "the lab refused the credentials in lab.json", "Restart the lab to rewrite lab.json."),
            );
          reject(
            new V2kError(
              code.success ? code.data : "INTERNAL",
              typeof err?.message === "string" ? err.message : `lab answered HTTP ${status}`,
              typeof err?.hint === "string" ? err.hint : "See the lab's log.",
            ),
          );
        });
      });
      req.end(payload);
    });
  }

  /** Opens TLS and checks the certificate's SHA-1 thumbprint before the caller sends anything. */
  private connectPinned(host: string, port: number): Promise<TLSSocket> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port, rejectUnauthorized: false, ...(/^[\d.:]+$/.test(host) ? {} : { servername: host }) });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new V2kError("LAB_NOT_RUNNING", `the lab at ${host}:${port} did not answer within 10 s`, notRunningHint(this.dir)));
      }, 10_000);
      socket.once("secureConnect", () => {
        clearTimeout(timer);
        const got = normalizeThumbprint(socket.getPeerCertificate().fingerprint ?? "");
        if (got !== normalizeThumbprint(this.endpoint.thumbprint)) {
          socket.destroy();
          reject(
            new V2kError(
              "TLS_UNTRUSTED",
              `the server at ${host}:${port} is not the lab in ${this.dir} (certificate thumbprint differs)`,
              "Another process may use the lab's port; restart the lab.",
            ),
          );
          return;
        }
        resolve(socket);
      });
      socket.once("error", (e) => {
        clearTimeout(timer);
        reject(new V2kError("LAB_NOT_RUNNING", `the lab at ${host}:${port} does not answer: ${e.message}`, notRunningHint(this.dir)));
      });
    });
  }
}

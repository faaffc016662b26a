// A worker passes every request it does not serve itself (SOAP, the control API, /folder reads the lab
// process keeps) to the lab process over its private Unix socket, byte for byte: status, headers and body
// as the lab process sends them, a reply it cuts off is cut off for the client too, and a client that
// goes away aborts the forwarded request (so a waiting WaitForUpdates ends as it would).
import { Agent, request, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import { PEER_HEADER } from "./protocol";

const HOP_BY_HOP = ["connection", "keep-alive", "transfer-encoding", "upgrade", "proxy-connection"];

function forwardable(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const out = { ...headers };
  for (const h of HOP_BY_HOP) delete out[h];
  return out;
}

export class PrimaryProxy {
  // Kept-alive connections; idle ones close well before the lab process's keep-alive timeout.
  private readonly agent = new Agent({ keepAlive: true, timeout: 60_000 });

  constructor(private readonly socketPath: string) {}

  forward(req: IncomingMessage, res: ServerResponse): void {
    const headers = { ...forwardable(req.headers), [PEER_HEADER]: req.socket.remoteAddress ?? "" };
    const up = request({ socketPath: this.socketPath, method: req.method, path: req.url, headers, agent: this.agent });
    res.on("close", () => {
      if (!res.writableFinished) up.destroy();
    });
    let replied = false;
    up.on("response", (reply) => {
      replied = true;
      this.relay(reply, res);
    });
    up.on("error", () => {
      if (replied) return; // the relay cuts the client off once what arrived is out
      if (res.headersSent) res.destroy();
      else if (!res.destroyed) {
        res.writeHead(502, { "Content-Type": "text/plain; charset=utf-8", Connection: "close" });
        res.end("The lab process did not answer\n");
      }
    });
    req.pipe(up);
  }

  private relay(reply: IncomingMessage, res: ServerResponse): void {
    const headers = forwardable(reply.headers);
    if (reply.headers.connection === "close") headers.connection = "close";
    res.writeHead(reply.statusCode ?? 502, headers as Record<string, string | string[]>);
    res.flushHeaders();
    let inFlight = 0;
    let cut = false;
    reply.on("data", (chunk: Buffer) => {
      inFlight++;
      const more = res.write(chunk, () => {
        inFlight--;
        if (cut && inFlight === 0) res.destroy();
      });
      if (!more) {
        reply.pause();
        res.once("drain", () => reply.resume());
      }
    });
    reply.on("end", () => res.end());
    // cut off by the lab process (an injected reset): what arrived goes out, then the connection is cut
    reply.on("close", () => {
      if (reply.complete) return;
      cut = true;
      if (inFlight === 0) res.destroy();
    });
    reply.on("error", () => undefined);
  }

  close(): void {
    this.agent.destroy();
  }
}

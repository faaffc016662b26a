// Connection settings every lab HTTP(S) server shares: the lab process's and its datastore workers'.
import { type Server as HttpServer } from "node:http";
import { type Server as HttpsServer } from "node:https";
import { type Socket } from "node:net";

export function applyLabServerSettings(server: HttpServer | HttpsServer): void {
  // pyVmomi keeps pooled connections for up to 15 minutes; closing idle ones sooner breaks its next call.
  server.keepAliveTimeout = 900_000;
  server.headersTimeout = 60_000;
  server.requestTimeout = 0; // WaitForUpdates may legitimately wait long
  server.on("clientError", (_err, socket: Socket) => socket.destroy());
  server.on("tlsClientError", () => undefined);
}

/**
 * Serves a connection that another listener accepted (paused, before any TLS byte) on `server`: the lab
 * process's front listener hands each connection to a datastore worker or, while none is ready, to its
 * own TLS server. Such a connection misses what the server's own listener does on accept, so every
 * per-connection setting lives here, for both paths.
 */
export function adoptConnection(server: HttpsServer, socket: Socket): void {
  // no-delay: without it a reply's headers and body (two writes) waited for the client's delayed ACK,
  // ~40 ms per SOAP call
  socket.setNoDelay(true);
  server.emit("connection", socket);
  socket.resume();
}

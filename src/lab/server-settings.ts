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

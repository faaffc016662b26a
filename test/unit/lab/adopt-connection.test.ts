// A connection the lab's front listener accepts and hands on gets the settings a listener gives its own:
// no-delay on the lab process's own TLS server (workers not started yet) as on a datastore worker.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Socket } from "node:net";
import { request } from "node:https";
import { startLabServer } from "../../../src/lab/server";
import { ensureLabTls } from "../../../src/lab/tls";
import { withLab } from "./helpers";

/** Server-side sockets that got setNoDelay(true), by their peer's port. */
function recordNoDelay(): { ports: Set<number>; restore(): void } {
  const ports = new Set<number>();
  const original = Socket.prototype.setNoDelay;
  Socket.prototype.setNoDelay = function (this: Socket, noDelay?: boolean) {
    if (noDelay !== false && this.remotePort !== undefined) ports.add(this.remotePort);
    return original.call(this, noDelay);
  };
  return { ports, restore: () => (Socket.prototype.setNoDelay = original) };
}

test("a connection the lab process serves itself (no datastore worker yet) gets no-delay", async () => {
  await withLab("minimal", async (model, dir) => {
    const tls = await ensureLabTls(dir, "127.0.0.1");
    const server = await startLabServer({
      host: "127.0.0.1",
      port: 0,
      tls,
      model,
      credentials: { username: "u", password: "p" },
      instanceUuid: "uuid",
      datastoreWorkers: 2, // they start with the first /folder request: this SOAP-side request is served here
    });
    const recorded = recordNoDelay();
    try {
      const clientPort = await new Promise<number>((resolve, reject) => {
        const req = request(
          { host: "127.0.0.1", port: server.port, path: "/sdk/vimServiceVersions.xml", ca: tls.cert, agent: false },
          (res) => {
            res.resume();
            res.on("end", () => resolve(req.socket!.localPort!));
          },
        );
        req.on("error", reject);
        req.end();
      });
      assert.ok(recorded.ports.has(clientPort), `no-delay on the server side of the connection from port ${clientPort}`);
    } finally {
      recorded.restore();
      await server.close();
    }
  });
});

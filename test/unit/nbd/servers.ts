// Real NBD servers for tests (nbdkit, qemu-nbd) on private UNIX sockets, through the same
// ManagedDaemon the product uses. Every start registers its teardown with the test context.
import { type TestContext } from "node:test";
import { ManagedDaemon, PrivateDir } from "../../../src/helper/endpoints/daemon";
import { exec } from "../../../src/kit/exec";

export interface TestServer {
  socket: string;
  dir: PrivateDir;
  daemon: ManagedDaemon;
  stop(): Promise<void>;
}

type Cleanup = Pick<TestContext, "after"> | { after(fn: () => unknown): void };

const stacks = new WeakMap<object, Array<() => unknown>>();

/**
 * Cleanups of one test run last-in first-out (clients close before their servers stop; nbdkit
 * waits for open connections on SIGTERM).
 */
export function lifo(t: Cleanup): { after(fn: () => unknown): void } {
  return {
    after(fn) {
      let stack = stacks.get(t);
      if (!stack) {
        const s: Array<() => unknown> = [];
        stacks.set(t, (stack = s));
        t.after(async () => {
          for (const f of s.reverse()) await f();
        });
      }
      stack.push(fn);
    },
  };
}

async function serve(t: Cleanup, name: string, file: string, args: (dir: PrivateDir) => string[], pidName: string): Promise<TestServer> {
  const dir = new PrivateDir("v2k-test-nbd-");
  let daemon: ManagedDaemon;
  try {
    daemon = await ManagedDaemon.start({ name, file, args: args(dir), pidFile: dir.file(pidName), readyTimeoutMs: 15_000 });
  } catch (e) {
    dir.remove();
    throw e;
  }
  const stop = async () => {
    await daemon.stop();
    dir.remove();
  };
  lifo(t).after(stop);
  return { socket: dir.file("nbd.sock"), dir, daemon, stop };
}

/** nbdkit [filters...] PLUGIN ARGS on a private socket. */
export function startNbdkit(t: Cleanup, pluginAndArgs: string[], options: { readOnly?: boolean } = {}): Promise<TestServer> {
  return serve(
    t,
    "nbdkit",
    "nbdkit",
    (dir) => [
      "--foreground",
      "--exit-with-parent",
      "--unix",
      dir.file("nbd.sock"),
      "--pidfile",
      dir.file("nbdkit.pid"),
      ...(options.readOnly ? ["--readonly"] : []),
      ...pluginAndArgs,
    ],
    "nbdkit.pid",
  );
}

/** qemu-nbd serving an image (created sparse when `createSize` is given). */
export async function startQemuNbd(
  t: Cleanup,
  format: "qcow2" | "raw",
  options: { createSize?: number; image?: string; extra?: string[] } = {},
): Promise<TestServer & { image: string }> {
  const imgDir = new PrivateDir("v2k-test-img-");
  lifo(t).after(() => imgDir.remove());
  const image = options.image ?? imgDir.file(`disk.${format}`);
  if (options.createSize !== undefined)
    await exec("qemu-img", ["create", "-q", "-f", format, image, String(options.createSize)], { timeoutMs: 30_000 });
  const s = await serve(
    t,
    "qemu-nbd",
    "qemu-nbd",
    (dir) => [
      `--socket=${dir.file("nbd.sock")}`,
      `--pid-file=${dir.file("qemu-nbd.pid")}`,
      `--format=${format}`,
      "--cache=writeback",
      "--discard=unmap",
      "--shared=4",
      "--persistent",
      ...(options.extra ?? []),
      image,
    ],
    "qemu-nbd.pid",
  );
  return { ...s, image };
}

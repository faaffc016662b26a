// Runs the helper's bundle through a V8 code cache. Parsing and compiling the ~1.3 MB bundle was most of
// every command's start-up (Node 20 has no module.enableCompileCache); with the cache V8 skips it.
// The cache is an optimisation only: a missing, unreadable, foreign or rejected cache is ignored
// silently, the bundle compiles from source, and a fresh cache is written when the process exits.
import { createHash } from "node:crypto";
import {
  closeSync,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
  type BigIntStats,
} from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { Script } from "node:vm";
import * as buffer from "node:buffer";

/** Set to a directory to move the cache, or to `off` to compile from source every time. */
export const CODE_CACHE_ENV = "ABLESTACK_V2K_CODE_CACHE";
const SUFFIX = ".v8cache";
/** Caches of other builds and Node versions kept beside the current one (each a few MiB). */
const KEEP = 8;

/** Where the cache lives: root's in /var/cache (the package's files are read-only), a user's in ~/.cache. */
export function codeCacheDir(env: NodeJS.ProcessEnv = process.env, uid = process.getuid?.() ?? -1): string | null {
  const chosen = env[CODE_CACHE_ENV];
  if (chosen === "off") return null;
  if (chosen) return chosen;
  if (uid === 0) return "/var/cache/ablestack-v2k";
  const base = env.XDG_CACHE_HOME || join(env.HOME || homedir(), ".cache");
  return join(base, "ablestack-v2k");
}

/**
 * The cache directory when it is safe to load code from: ours (created 0700 when missing), not writable
 * by group or others. A cache is code the helper runs, as root too; anything else means no cache.
 */
function trustedDir(dir: string): string | null {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = lstatSync(dir);
    const uid = process.getuid?.();
    if (!st.isDirectory() || (uid !== undefined && st.uid !== uid) || (st.mode & 0o022) !== 0) return null;
    return dir;
  } catch {
    return null;
  }
}

/**
 * The cache's file name: V8 checks its own version and flags but identifies the source by its length only,
 * so the name must tell builds apart (an old cache of another build of the same length must never be loaded).
 * build.mjs hashes the bundle's bytes once (hashing 1.3 MB took ~4 ms of every start); the bundle's size,
 * inode and times tell a bundle replaced after the build apart: its ctime changes with any write, and
 * utimes cannot set it back. Then the runtime and the node flags.
 */
function cacheName(bundle: BigIntStats, builtHash: string | undefined): string {
  const file = [bundle.dev, bundle.ino, bundle.size, bundle.mtimeNs, bundle.ctimeNs].map(String);
  const runtime = [process.versions.node, process.versions.v8, process.arch, process.execArgv];
  const hash = createHash("sha1")
    .update(JSON.stringify([builtHash ?? null, file, runtime]))
    .digest("hex")
    .slice(0, 24);
  return `helper-${hash}${SUFFIX}`;
}

/** The bundle's bytes and its status, both from one open file (a bundle replaced meanwhile cannot mix in). */
function readBundle(path: string): { bytes: Buffer; stat: BigIntStats } {
  const fd = openSync(path, "r");
  try {
    return { stat: fstatSync(fd, { bigint: true }), bytes: readFileSync(fd) };
  } finally {
    closeSync(fd);
  }
}

function readOrNull(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/** esbuild writes ASCII (non-ASCII escaped); decoding it as latin1 skips the UTF-8 decoder. */
function decode(bytes: Buffer): string {
  const isAscii = (buffer as { isAscii?: (b: Buffer) => boolean }).isAscii;
  return isAscii?.(bytes) ? bytes.toString("latin1") : bytes.toString("utf8");
}

/** Writes atomically (a reader sees the old file or the new one) and drops the oldest other caches. */
function writeCache(dir: string, name: string, data: Buffer): void {
  try {
    const temp = join(dir, `.${name}.${process.pid}`);
    writeFileSync(temp, data, { mode: 0o600 });
    renameSync(temp, join(dir, name));
    const others = readdirSync(dir)
      .filter((f) => f.endsWith(SUFFIX) && f !== name)
      .map((f) => ({ f, mtime: statSync(join(dir, f)).mtimeMs }))
      .sort((a, b) => b.mtime - a.mtime);
    for (const { f } of others.slice(KEEP - 1)) unlinkSync(join(dir, f));
  } catch {
    // A full disk or a racing process costs the next start its cache, nothing else.
  }
}

export interface BundleRun {
  /** The cache's path when one is used (read or written). */
  cacheFile: string | null;
  /** True when V8 accepted the cache read; false when there was none or it was rejected. */
  cacheUsed: boolean;
}

export interface BundleOptions {
  /** Where the cache lives, or null for none (see codeCacheDir). */
  cacheDir?: string | null;
  /** The hash build.mjs took of the bundle's bytes; without it the cache tells bundles apart by their file only. */
  builtHash?: string;
}

/**
 * Runs a CommonJS bundle as the main program, as Node would, with the cache of `cacheDir`.
 * The bundle's `import.meta.url` reads `__v2kModuleUrl` (build.mjs defines it).
 */
export function runBundle(bundlePath: string, options: BundleOptions = {}): BundleRun {
  const { cacheDir = codeCacheDir(), builtHash } = options;
  const { bytes, stat } = readBundle(bundlePath);
  const dir = cacheDir === null ? null : trustedDir(cacheDir);
  const name = dir === null ? null : cacheName(stat, builtHash);
  const cacheFile = dir === null || name === null ? null : join(dir, name);
  const cachedData = cacheFile === null ? undefined : readOrNull(cacheFile);
  const wrapped = `(function (exports, require, module, __filename, __dirname, __v2kModuleUrl) {${decode(bytes)}\n})`;
  const script = new Script(wrapped, { filename: bundlePath, ...(cachedData ? { cachedData } : {}) });
  const cacheUsed = cachedData !== undefined && !script.cachedDataRejected;
  if (dir !== null && name !== null && !cacheUsed) {
    // At exit the cache also holds the functions this command compiled lazily, not just the top level.
    process.once("exit", () => writeCache(dir, name, script.createCachedData()));
  }
  const main = script.runInThisContext() as (...args: unknown[]) => void;
  const module = { exports: {}, filename: bundlePath, id: ".", loaded: false };
  main(module.exports, createRequire(bundlePath), module, bundlePath, dirname(bundlePath), pathToFileURL(bundlePath).href);
  return { cacheFile, cacheUsed };
}

// The secret a systemd unit reads on stdin sits for a moment in a 0600 file inside a 0700 directory
// (<dir>/.job-stdin), deleted as soon as the unit started. A launch killed in that moment leaves the
// file behind: the file name carries the launcher's pid, and the next start removes files whose
// launcher is gone.
import { chmodSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { liveStartTime } from "./record";

export const STDIN_DIR = ".job-stdin";

export function stdinDir(dir: string): string {
  const d = join(dir, STDIN_DIR);
  mkdirSync(d, { recursive: true, mode: 0o700 });
  chmodSync(d, 0o700); // an existing directory keeps its mode otherwise
  return d;
}

/** Writes `content` to a new 0600 file named after this process; the caller removes it. */
export function writeStdinFile(dir: string, content: string): string {
  const file = join(stdinDir(dir), `stdin-${process.pid}-${liveStartTime(process.pid)}-${randomBytes(4).toString("hex")}`);
  writeFileSync(file, content, { mode: 0o600, flag: "wx" });
  return file;
}

/** Removes stdin files left by launchers that are gone; returns the names removed. */
export function sweepStaleStdinFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(join(dir, STDIN_DIR));
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = /^stdin-(\d+)-(\d*)-/.exec(name);
    if (m && liveStartTime(Number(m[1])) === m[2] && m[2] !== "") continue; // its launcher still runs
    rmSync(join(dir, STDIN_DIR, name), { force: true });
    removed.push(name);
  }
  return removed;
}

// State layer: workdir, manifest store, lock, events.log. Stable exports used by other commands:
//   withWorkdir(path, emitter, command, fn: (wd: Workdir) => Promise<T>): Promise<T>
//     opens + locks W, binds emitter to W/events.log (seq continues), records lastError, releases.
//   Workdir: .path, .manifest (read-only view), .update(mutate) (atomic write), .warn(step, code, msg, disk?),
//     .emitter, .release(); Workdir.open(path, emitter, command); Workdir.create(path, manifest, emitter, command)
//   requireWorkdirPath(global.workdir): string  (USAGE when missing)
//   readManifest(dir), writeManifest(dir, m), writeFileAtomic(path, data, mode?)
//   acquireLock(dir, command): WorkdirLock   migrateManifest(doc)
export { withWorkdir, Workdir, requireWorkdirPath, defaultWorkdirRoot, defaultWorkdirPath, newRunId } from "./workdir";
export { readManifest, writeManifest, manifestPath, hasManifest, MANIFEST_FILE, MANIFEST_KIND } from "./manifest-store";
export { acquireLock, LOCK_FILE, type WorkdirLock, type LockInfo } from "./lock";
export { EventsLogSink, eventsLogPath, lastEventSeq, EVENTS_FILE } from "./events-log";
export { writeFileAtomic, fsyncDir } from "../../kit/atomic-file";
export { type StepContext } from "./context";
export { migrateManifest, migrations, type Migration, type RawManifest } from "./manifest-migrations";

// What a domain step gets from whoever runs it (a command, the pipeline, a test): the workdir the user
// named (if any), where events go, the cancel signal, and stdin for secrets. No CLI types: commands
// build it from their own context.
import { type Emitter } from "../../kit/emitter";

export interface StepContext {
  /** The --workdir given, or undefined (a new run picks its own under the default root). */
  workdir: string | undefined;
  emitter: Emitter;
  /** Aborted on SIGINT/SIGTERM: long work stops cleanly and leaves the manifest consistent. */
  signal: AbortSignal;
  /** Reads all of stdin once (secrets are passed this way); "" when stdin is a TTY or empty. */
  readStdin(): Promise<string>;
}

// The part of Cockpit's base1/cockpit.js (loaded at runtime from the installed Cockpit) this page uses.
// Cockpit's promises are thenables with extra methods; only what we call is declared here.

export interface CockpitSpawnOptions {
  superuser?: "require" | "try";
  err?: "out" | "message" | "ignore";
  environ?: string[];
  directory?: string;
}

export interface CockpitProcessError {
  problem: string | null;
  exit_status: number | null;
  exit_signal: string | null;
  message: string;
}

export interface CockpitSpawnPromise extends PromiseLike<string> {
  stream(callback: (data: string) => void): CockpitSpawnPromise;
  input(data?: string | null, stream?: boolean): CockpitSpawnPromise;
  close(problem?: string): CockpitSpawnPromise;
  catch(onRejected: (error: CockpitProcessError, data?: string) => unknown): PromiseLike<unknown>;
}

export interface CockpitFileWatchHandle {
  remove(): void;
}

export interface CockpitFile {
  watch(
    callback: (content: string | null, tag: string | null, error?: { problem?: string; message?: string }) => void,
    options?: { read?: boolean },
  ): CockpitFileWatchHandle;
  read(): PromiseLike<string | null>;
  close(): void;
}

export interface CockpitLocation {
  path: string[];
  options: Record<string, string | string[]>;
  go(path: string | string[], options?: Record<string, string>): void;
}

export interface CockpitDBusProxy {
  valid: boolean;
  wait(callback?: () => void): PromiseLike<void>;
  addEventListener(event: "changed", listener: () => void): void;
  [property: string]: unknown;
}

export interface CockpitDBusClient {
  proxy(iface: string, path: string): CockpitDBusProxy;
  close(): void;
}

export interface CockpitChannel {
  wait(): PromiseLike<unknown>;
  close(problem?: string): void;
  addEventListener(event: "message", listener: (event: unknown, data: string) => void): void;
}

export interface Cockpit {
  channel(options: Record<string, unknown>): CockpitChannel;
  spawn(args: string[], options?: CockpitSpawnOptions): CockpitSpawnPromise;
  file(path: string, options?: { superuser?: "require" | "try"; max_read_size?: number }): CockpitFile;
  dbus(name: string | null, options?: { bus?: string }): CockpitDBusClient;
  gettext(message: string): string;
  gettext(context: string, message: string): string;
  format(template: string, ...args: unknown[]): string;
  language: string;
  /** True while the page is not visible (another Cockpit page or browser tab is shown). */
  hidden: boolean;
  location: CockpitLocation;
  /** Asks the shell to show another Cockpit page ("/machines#vm?name=..."). */
  jump(path: string): void;
  transport: { wait(callback: () => void): void; control(command: string, options: Record<string, unknown>): void };
  addEventListener(event: "locationchanged" | "visibilitychange", listener: () => void): void;
  removeEventListener(event: "locationchanged" | "visibilitychange", listener: () => void): void;
}

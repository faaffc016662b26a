// The language the helper speaks: Korean under a Korean locale, English otherwise. The page passes its
// own language in ABLESTACK_V2K_LANG (a Cockpit session's locale need not be the host's); a terminal's
// locale follows POSIX order (LC_ALL, then LC_MESSAGES, then LANG).
export type Lang = "en" | "ko";

export function langFromEnv(env: Record<string, string | undefined>): Lang {
  const chosen = env.ABLESTACK_V2K_LANG || env.LC_ALL || env.LC_MESSAGES || env.LANG || "";
  return /^ko([_.@-]|$)/i.test(chosen) ? "ko" : "en";
}

let cached: Lang | undefined;

/** This process's language, read once from its environment (English where there is none, as in a browser). */
export function processLang(): Lang {
  cached ??= typeof process === "undefined" ? "en" : langFromEnv(process.env);
  return cached;
}

/** The text in this process's language; both versions sit together where the text is made. */
export function say(en: string, ko: string): string {
  return processLang() === "ko" ? ko : en;
}

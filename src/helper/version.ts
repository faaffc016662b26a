// Replaced at bundle time by build.mjs from package.json; the fallback serves tsx runs in tests.
declare const __V2K_VERSION__: string | undefined;
export const TOOL_VERSION: string = typeof __V2K_VERSION__ === "string" ? __V2K_VERSION__ : "0.0.0-dev";

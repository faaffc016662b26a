export interface PoEntry { msgid: string; msgstr: string; msgctxt?: string }
export function parsePo(text: string): PoEntry[];
export function poToCockpitJs(text: string, lang: string): string;
export function buildPage(options: { esbuild: unknown; production: boolean; version: string }): Promise<void>;

// Human sizes on command lines and control APIs: 4194304, 4M, 4MiB, 1G, 512K (binary units).
import { z } from "zod";

const units: Record<string, number> = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };
const HINT = "use 4096, 64K, 1M, 1G";

/** Bytes from "4M"/"4MiB"/"4096"; undefined when the text is not a size. */
export function parseSize(text: string): number | undefined {
  const m = /^\s*(\d+)\s*([kmgt]?)(i?b)?\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = units[(m[2] ?? "").toLowerCase()];
  if (unit === undefined) return undefined;
  const n = Number(m[1]) * unit;
  return Number.isSafeInteger(n) ? n : undefined;
}

/** A size option (`--name SIZE`) as a zod schema of its byte count; `positive` refuses 0. */
export function sizeOption(name: string, opts: { positive?: boolean } = {}) {
  return z.string().transform((text, ctx) => {
    const n = parseSize(text);
    if (n === undefined || (opts.positive && n <= 0)) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message: `--${name} '${text}' is not a ${opts.positive ? "positive " : ""}size (${HINT})`,
      });
      return z.NEVER;
    }
    return n;
  });
}

/** A non-negative byte count given as a number or a size string (JSON request bodies). */
export const SizeSchema = z.union([z.number().int().nonnegative(), z.string()]).transform((v, ctx) => {
  const n = typeof v === "number" ? v : parseSize(v);
  if (n === undefined) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: `not a size: ${String(v)} (${HINT})` });
    return z.NEVER;
  }
  return n;
});

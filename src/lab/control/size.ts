// Sizes on the lab's command line and control API: 4096, 64K, 1M, 1G (binary units), or plain numbers.
import { z } from "zod";

const units: Record<string, number> = { "": 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

export function parseSize(text: string): number | undefined {
  const m = /^\s*(\d+)\s*([KMGT]?)(?:i?B)?\s*$/i.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]) * units[m[2]!.toUpperCase()]!;
  return Number.isSafeInteger(n) ? n : undefined;
}

/** A non-negative byte count given as a number or a size string. */
export const SizeSchema = z.union([z.number().int().nonnegative(), z.string()]).transform((v, ctx) => {
  const n = typeof v === "number" ? v : parseSize(v);
  if (n === undefined) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: `not a size: ${String(v)} (use 4096, 64K, 1M, 1G)` });
    return z.NEVER;
  }
  return n;
});

// One declaration per command option (type, default, help) from which the CLI's parseArgs specs, the
// zod validation, the help text with its defaults and the page's argv are all derived, so none of them
// can drift. Plain data and zod only: the page imports this too.
import { z } from "zod";
import { sizeOption } from "../sizes";
import { formatCriterion, parseCriterion, type CutoverCriterion } from "./criterion";

interface Common {
  help: string;
  /** Shown in help, e.g. "SIZE"; enums show their values. */
  valueName?: string;
  short?: string;
  /** Default applied outside the schema (by the engine, the environment): help text only. */
  defaultNote?: string;
}
export type OptionDecl = Common &
  (
    | { kind: "boolean"; default?: boolean }
    | { kind: "string"; default?: string; pattern?: RegExp; required?: boolean; message?: string }
    | { kind: "strings"; default?: readonly [] } // repeatable
    | { kind: "enum"; values: readonly [string, ...string[]]; default?: string }
    | { kind: "int"; default?: number; min?: number; max?: number }
    | { kind: "number"; default?: number; min?: number; exclusiveMin?: number; max?: number }
    | { kind: "size"; default?: number; positive?: boolean }
    | { kind: "criterion"; default?: string }
  );
export type OptionDecls = Record<string, OptionDecl>;

/** The shape parseArgs and the help renderer take (structurally the CLI kit's OptionSpec). */
export interface DerivedOptionSpec {
  type: "string" | "boolean";
  multiple?: boolean;
  short?: string;
  description: string;
  valueName?: string;
}

/** The default as an operator would type it, or undefined when there is none. */
export function defaultText(d: OptionDecl): string | undefined {
  if (d.kind === "strings" || !("default" in d) || d.default === undefined) return undefined;
  if (d.kind === "boolean") return undefined; // flags are off unless given; the help says what "on" does
  if (d.kind === "size") return sizeText(d.default);
  return String(d.default);
}

/** 4194304 -> "4M": exact binary units, else bytes. */
export function sizeText(bytes: number): string {
  for (const [u, n] of [
    ["T", 2 ** 40],
    ["G", 2 ** 30],
    ["M", 2 ** 20],
    ["K", 2 ** 10],
  ] as const)
    if (bytes >= n && bytes % n === 0) return `${bytes / n}${u}`;
  return String(bytes);
}

/** The help line: the text, then the default actually applied. */
export function optionHelp(d: OptionDecl): string {
  const value = defaultText(d);
  const note = value !== undefined ? `default ${value}` : d.defaultNote;
  return note ? `${d.help} (${note})` : d.help;
}

export function optionSpecs(decls: OptionDecls): Record<string, DerivedOptionSpec> {
  const out: Record<string, DerivedOptionSpec> = {};
  for (const [name, d] of Object.entries(decls)) {
    const valueName = d.valueName ?? (d.kind === "enum" ? d.values.join("|") : undefined);
    out[name] = {
      type: d.kind === "boolean" ? "boolean" : "string",
      ...(d.kind === "strings" ? { multiple: true } : {}),
      ...(d.short ? { short: d.short } : {}),
      ...(valueName && d.kind !== "boolean" ? { valueName } : {}),
      description: optionHelp(d),
    };
  }
  return out;
}

function fieldOf(name: string, d: OptionDecl): z.ZodTypeAny {
  switch (d.kind) {
    case "boolean":
      return d.default === undefined ? z.boolean().optional() : z.boolean().default(d.default);
    case "strings":
      return d.default === undefined ? z.array(z.string()).optional() : z.array(z.string()).default([]);
    case "string": {
      const s = d.pattern ? z.string().min(1).regex(d.pattern, d.message) : z.string().min(1);
      if (d.required) return s;
      return d.default === undefined ? s.optional() : s.default(d.default);
    }
    case "enum":
      return d.default === undefined ? z.enum(d.values).optional() : z.enum(d.values).default(d.default);
    case "int":
    case "number": {
      let n = z.coerce.number();
      if (d.kind === "int") n = n.int();
      if (d.min !== undefined) n = n.min(d.min);
      if (d.kind === "number" && d.exclusiveMin !== undefined) n = n.gt(d.exclusiveMin);
      if (d.max !== undefined) n = n.max(d.max);
      return d.default === undefined ? n.optional() : n.default(d.default);
    }
    case "size": {
      const s = sizeOption(name, { positive: d.positive ?? false });
      return d.default === undefined ? s.optional() : z.string().default(sizeText(d.default)).pipe(s);
    }
    case "criterion": {
      // a refusal is a validation issue, not a throw: the page validates as the admin types
      const c = z.string().transform((t, ctx) => {
        try {
          return parseCriterion(t);
        } catch (e) {
          ctx.addIssue({ code: z.ZodIssueCode.custom, message: (e as Error).message });
          return z.NEVER;
        }
      });
      return d.default === undefined ? c.optional() : c.default(d.default);
    }
  }
}

type Valued<D, T> = D extends { default: unknown } | { required: true } ? T : T | undefined;
/** The value a declared option has after validation. */
export type OptionValue<D> = D extends { kind: "boolean" }
  ? Valued<D, boolean>
  : D extends { kind: "strings" }
    ? Valued<D, string[]>
    : D extends { kind: "enum"; values: readonly (infer V)[] }
      ? Valued<D, V>
      : D extends { kind: "int" | "number" | "size" }
        ? Valued<D, number>
        : D extends { kind: "criterion" }
          ? Valued<D, CutoverCriterion>
          : Valued<D, string>;
export type FieldsOf<D extends OptionDecls> = { [K in keyof D]: z.ZodType<OptionValue<D[K]>, z.ZodTypeDef, unknown> };
/** A command's request: its options after validation. */
export type RequestOf<D extends OptionDecls> = { [K in keyof D]?: OptionValue<D[K]> };

/** zod fields for z.object({...fields, positionals}); the output is the request the command runs. */
export function zodFields<D extends OptionDecls>(decls: D): FieldsOf<D> {
  return Object.fromEntries(Object.entries(decls).map(([name, d]) => [name, fieldOf(name, d)])) as FieldsOf<D>;
}

function valueText(d: OptionDecl, v: unknown): string {
  if (d.kind === "criterion" && typeof v === "object") return formatCriterion(v as CutoverCriterion);
  return String(v);
}

/** The default as valueText writes it (sizes in bytes, the criterion as parsed), to leave defaults out. */
function canonicalDefault(d: OptionDecl): string | undefined {
  if (d.kind === "boolean" || d.kind === "strings" || d.default === undefined) return undefined;
  return valueText(d, d.kind === "criterion" ? parseCriterion(d.default) : d.default);
}

/**
 * The command line of a request: its words, positionals, then `--name value` for every declared
 * option it sets to something other than the default (the helper applies those itself).
 * Options not declared are refused: a typo must not vanish from the command line.
 */
export function requestArgv(words: readonly string[], decls: OptionDecls, request: Record<string, unknown>): string[] {
  const out = [...words, ...((request.positionals as string[] | undefined) ?? [])];
  for (const [name, v] of Object.entries(request)) {
    if (name === "positionals" || v === undefined) continue;
    const d = decls[name];
    if (!d) throw new Error(`${words.join(" ")}: no option --${name}`);
    if (d.kind === "boolean") {
      if (v === true) out.push(`--${name}`);
    } else if (d.kind === "strings") {
      for (const one of v as string[]) out.push(`--${name}`, one);
    } else {
      const text = valueText(d, v);
      // a value beginning with "-" (a boot marker, say) is joined to its name: the parser would take it for an option
      if (text !== canonicalDefault(d)) out.push(...(text.startsWith("-") ? [`--${name}=${text}`] : [`--${name}`, text]));
    }
  }
  return out;
}

/** The value the command applies when the option is not given (for the page's own displays). */
export function defaultOf<T>(decls: OptionDecls, name: string): T {
  const d = decls[name];
  if (!d || !("default" in d) || d.default === undefined) throw new Error(`--${name} has no default`);
  return (d.kind === "criterion" ? parseCriterion(d.default) : d.default) as T;
}

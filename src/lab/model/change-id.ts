// CBT change ids look like vSphere's: "<epoch uuid as '52 xx xx xx xx xx xx xx-xx xx xx xx xx xx xx xx'>/<seq>".
import { randomBytes } from "node:crypto";

/** A fresh tracking epoch in vSphere's spaced-hex form (first byte 0x52 as on real hosts). */
export function newEpoch(): string {
  const b = randomBytes(16);
  b[0] = 0x52;
  const hex = [...b].map((x) => x.toString(16).padStart(2, "0"));
  return `${hex.slice(0, 8).join(" ")}-${hex.slice(8).join(" ")}`;
}

export function formatChangeId(epoch: string, seq: number): string {
  return `${epoch}/${seq}`;
}

const changeIdRe = /^((?:[0-9a-f]{2} ){7}[0-9a-f]{2}-(?:[0-9a-f]{2} ){7}[0-9a-f]{2})\/(\d+)$/i;

/** Parses "<epoch>/<seq>"; undefined when malformed. */
export function parseChangeId(text: string): { epoch: string; seq: number } | undefined {
  const m = changeIdRe.exec(text.trim());
  if (!m) return undefined;
  return { epoch: m[1]!.toLowerCase(), seq: Number(m[2]) };
}

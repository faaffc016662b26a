// D/lab.json: how clients reach a running lab (url, credentials, thumbprint) and what it holds.
// Written with mode 0600 because it carries the password; commands print its path, never the password.
import { z } from "zod";
import { readFileSync } from "node:fs";
import { writeFileAtomicAsync } from "../kit/atomic-file";
import { join } from "node:path";
import { V2kError } from "../shared/v2k-error";

export const LAB_FILE = "lab.json";

export const LabFileSchema = z.object({
  url: z.string().url(), // https://IP:PORT/sdk
  username: z.string().min(1),
  password: z.string().min(1),
  thumbprint: z.string().regex(/^([0-9A-F]{2}:){19}[0-9A-F]{2}$/),
  /** PEM file of the lab's self-signed certificate (usable as a CA file). */
  certFile: z.string(),
  datacenter: z.string(),
  /** Process serving the lab; null once it stopped cleanly. */
  pid: z.number().int().nullable(),
  startedAt: z.string(),
  instanceUuid: z.string(),
  /** vSphere generation the lab presents (lab start --api-version); absent in older files means 6.7. */
  apiVersion: z.enum(["6.7", "7.0", "8.0"]).optional(),
  vms: z.array(z.object({ name: z.string(), moref: z.string(), powerState: z.string() })),
});
export type LabFile = z.infer<typeof LabFileSchema>;

export function labFilePath(dir: string): string {
  return join(dir, LAB_FILE);
}

/** Reads D/lab.json; LAB_NOT_RUNNING when absent, LAB_STATE_INVALID when unreadable. */
export function readLabFile(dir: string): LabFile {
  let text: string;
  try {
    text = readFileSync(labFilePath(dir), "utf8");
  } catch {
    throw new V2kError("LAB_NOT_RUNNING", `No lab in ${dir} (lab.json missing)`, `Start one with 'ablestack_v2k lab start --dir ${dir}'.`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new V2kError("LAB_STATE_INVALID", `${labFilePath(dir)} is not JSON`, "Restart the lab to rewrite it.", {
      detail: (e as Error).message,
    });
  }
  const parsed = LabFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new V2kError("LAB_STATE_INVALID", `${labFilePath(dir)} is not a valid lab file`, "Restart the lab to rewrite it.", {
      detail: parsed.error.message,
    });
  }
  return parsed.data;
}

/** Like readLabFile, but undefined instead of LAB_NOT_RUNNING when the file does not exist. */
export function readLabFileIfAny(dir: string): LabFile | undefined {
  try {
    return readLabFile(dir);
  } catch (e) {
    if (e instanceof V2kError && e.code === "LAB_NOT_RUNNING") return undefined;
    throw e;
  }
}

export async function writeLabFile(dir: string, info: LabFile): Promise<void> {
  const path = labFilePath(dir);
  await writeFileAtomicAsync(path, JSON.stringify(LabFileSchema.parse(info), null, 2) + "\n");
}

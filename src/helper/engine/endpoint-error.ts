// What the engine makes of a failed endpoint call. Real endpoints convert their own failures at
// their boundary (NBD errors become NBD_SOURCE_FAILED / NBD_TARGET_FAILED / TARGET_FULL in
// endpoints/nbd-endpoints), so a V2kError passes unchanged; anything else (an endpoint that threw a
// plain error) still gets the side's code and the disk, offset and endpoint in its message.
import { V2kError } from "../../shared/v2k-error";

export type EndpointRole = "source" | "target";

export interface EndpointErrorContext {
  role: EndpointRole;
  disk: string;
  offset: number;
  endpoint: string;
}

export function endpointError(err: unknown, ctx: EndpointErrorContext): V2kError {
  if (err instanceof V2kError) return err;
  const where = ` (${ctx.disk}, offset ${ctx.offset}, ${ctx.endpoint})`;
  const detail = err instanceof Error ? err.message : String(err);
  if (ctx.role === "target" && (err as { code?: unknown } | null)?.code === "ENOSPC") {
    return new V2kError("TARGET_FULL", `the target is full${where}`, "Free space on the target storage (or grow it) and re-run the sync.", {
      detail,
      cause: err,
    });
  }
  if (ctx.role === "source") {
    return new V2kError(
      "NBD_SOURCE_FAILED",
      `reading the source failed${where}`,
      "Check the source (vCenter/ESXi reachability, session, server log in the detail) and re-run: the copy resumes.",
      { detail, cause: err },
    );
  }
  return new V2kError(
    "NBD_TARGET_FAILED",
    `writing the target failed${where}`,
    "Check the target storage and the server output in the detail, then re-run: the copy resumes.",
    { detail, cause: err },
  );
}

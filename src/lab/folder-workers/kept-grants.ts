// The data file grants a datastore worker keeps, so that the reads of one client (nbdkit-curl asks the same
// file again and again, one range at a time) are not each a round trip to the lab process: that round trip
// was most of a small read's time. Only "file" grants are kept (a reply, or a read the lab process serves
// itself, is asked for each time), each for GRANT_KEEP_MS at most, and all are dropped when the lab process
// revokes them (before each of its SOAP and control replies, see ./pool.ts).
import { GRANT_KEEP_MS, type FolderGrant, type FolderGrantRequest } from "./protocol";

type FileGrant = Extract<FolderGrant, { kind: "file" }>;

/** A bound on the kept grants (a lab serves a few disks; a client that asks many paths just asks again). */
const MAX_KEPT = 256;

function keyOf(r: FolderGrantRequest): string {
  return JSON.stringify([r.method, r.url, r.cookie ?? null, r.authorization ?? null]);
}

export class KeptGrants {
  private readonly kept = new Map<string, { grant: FileGrant; until: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The grant kept for the same request, unless it is older than GRANT_KEEP_MS. */
  get(request: FolderGrantRequest): FileGrant | undefined {
    const key = keyOf(request);
    const k = this.kept.get(key);
    if (k && this.now() < k.until) return k.grant;
    this.kept.delete(key);
    return undefined;
  }

  keep(request: FolderGrantRequest, grant: FolderGrant): void {
    if (grant.kind !== "file") return;
    if (this.kept.size >= MAX_KEPT) this.kept.clear();
    this.kept.set(keyOf(request), { grant, until: this.now() + GRANT_KEEP_MS });
  }

  clear(): void {
    this.kept.clear();
  }
}

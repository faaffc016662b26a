// vCenter access: URL, user, password and TLS trust from flags or the govc environment
// (GOVC_URL, GOVC_USERNAME, GOVC_PASSWORD, GOVC_INSECURE, GOVC_TLS_KNOWN_HOSTS; GOVC_THUMBPRINT is
// this helper's own alternative to the known-hosts file). Passwords come from --password-file,
// --password-stdin, GOVC_PASSWORD or credentials inside GOVC_URL, never argv.
import { readFileSync, statSync } from "node:fs";
import { registerSecret } from "../../shared/redact";
import { V2kError } from "../../shared/v2k-error";
import { normalizeThumbprint } from "./tls-trust";

export interface VcenterAccess {
  url: string; // https://host[:port]/sdk
  host: string;
  port: number;
  username: string;
  password: string;
  thumbprint: string | undefined; // pinned, normalised
  insecure: boolean;
}

/** What a request says about vCenter access (the options in src/shared/requests' vcenterDecls); all optional. */
export interface VcenterFlags {
  vcenter?: string | undefined;
  username?: string | undefined;
  "password-file"?: string | undefined;
  "password-stdin"?: boolean | undefined;
  thumbprint?: string | undefined;
  insecure?: boolean | undefined;
}

const MAX_PASSWORD_BYTES = 4096;
const SHA1_THUMBPRINT_CHARS = 59; // 20 bytes as AB:CD:...

function truthy(v: string | undefined): boolean {
  return v !== undefined && /^(1|true|yes|on)$/i.test(v.trim());
}

/** Parse a govc-style URL: "host", "host:port", "https://user:pass@host/sdk". */
export function parseVcenterUrl(raw: string): { url: string; host: string; port: number; user?: string; password?: string } {
  const withScheme = /^[a-z]+:\/\//i.test(raw) ? raw : `https://${raw}`;
  let u: URL;
  try {
    u = new URL(withScheme);
  } catch {
    throw new V2kError("USAGE", `invalid vCenter URL '${raw.replace(/\/\/[^@/]*@/, "//***@")}'`, "Use https://HOST[:PORT]/sdk or HOST.");
  }
  if (u.protocol !== "https:") throw new V2kError("USAGE", `vCenter URL must use https (got ${u.protocol})`, "Use https://HOST/sdk.");
  const port = u.port ? Number(u.port) : 443;
  const host = u.hostname.replace(/^\[|\]$/g, "");
  const out: { url: string; host: string; port: number; user?: string; password?: string } = {
    url: `https://${u.host}${u.pathname && u.pathname !== "/" ? u.pathname : "/sdk"}`,
    host,
    port,
  };
  if (u.username) out.user = decodeURIComponent(u.username);
  if (u.password) out.password = decodeURIComponent(u.password);
  return out;
}

export interface ResolveContext {
  env: NodeJS.ProcessEnv;
  readStdin(): Promise<string>;
}

/** Everything except the password may also come from a manifest (commands after init). */
export interface KnownVcenter {
  url: string;
  username: string;
  thumbprint?: string | undefined;
  insecure: boolean;
}

export async function resolveVcenterAccess(flags: VcenterFlags, ctx: ResolveContext, known?: KnownVcenter): Promise<VcenterAccess> {
  const env = ctx.env;
  if (flags.vcenter && /\/\/[^/]*@/.test(flags.vcenter)) {
    throw new V2kError(
      "USAGE",
      "credentials in --vcenter would be visible in the process list",
      "Put them in GOVC_URL/GOVC_USERNAME/GOVC_PASSWORD, --password-file or --password-stdin.",
    );
  }
  const rawUrl = flags.vcenter ?? known?.url ?? env.GOVC_URL;
  if (!rawUrl) throw new V2kError("USAGE", "no vCenter URL given", "Pass --vcenter URL or set GOVC_URL (source govc.env).");
  const parsed = parseVcenterUrl(rawUrl);
  // a URL from the environment may carry govc-style credentials
  const username = flags.username ?? known?.username ?? env.GOVC_USERNAME ?? parsed.user;
  if (!username) throw new V2kError("USAGE", "no vCenter user name given", "Pass --username or set GOVC_USERNAME.");

  if (flags["password-file"] && flags["password-stdin"]) {
    throw new V2kError("USAGE", "--password-file and --password-stdin both give the password", "Give one of them.");
  }
  if (flags.thumbprint !== undefined && flags.insecure) {
    throw new V2kError(
      "USAGE",
      "--thumbprint pins the certificate and --insecure skips its check",
      "Give one of them (a pinned thumbprint is the safe choice).",
    );
  }
  let password: string | undefined;
  if (flags["password-file"]) {
    const file = flags["password-file"];
    try {
      if ((statSync(file).mode & 0o077) !== 0) {
        // readable by others: still used, but say so (operators fix it with chmod 600)
        process.emitWarning(`${file} is readable by group/others; chmod 600 it`);
      }
      password = firstLine(readFileSync(file, "utf8"));
    } catch (e) {
      throw new V2kError(
        "USAGE",
        `cannot read --password-file ${file}: ${(e as Error).message}`,
        "Create the file (mode 0600) holding the password on its first line.",
      );
    }
  } else if (flags["password-stdin"]) {
    password = firstLine(await ctx.readStdin());
  } else {
    password = env.GOVC_PASSWORD ?? parsed.password;
  }
  if (!password) {
    throw new V2kError("USAGE", "no vCenter password given", "Set GOVC_PASSWORD, or use --password-file FILE or --password-stdin.");
  }
  if (Buffer.byteLength(password) > MAX_PASSWORD_BYTES) {
    // the SOAP server would drop such a request, which reads as an unreachable vCenter
    throw new V2kError(
      "USAGE",
      `the vCenter password is ${Buffer.byteLength(password)} bytes long (at most ${MAX_PASSWORD_BYTES})`,
      "Pass only the password: its first line is read from --password-file or --password-stdin.",
    );
  }
  registerSecret(password);
  // an empty GOVC_THUMBPRINT (a blank line in an env file) is unset, as govc treats its variables
  const pinned =
    flags.thumbprint ??
    known?.thumbprint ??
    (env.GOVC_THUMBPRINT || undefined) ??
    knownHostsThumbprint(env.GOVC_TLS_KNOWN_HOSTS, parsed.host, parsed.port);
  if (flags.thumbprint !== undefined && normalizeThumbprint(flags.thumbprint).length !== SHA1_THUMBPRINT_CHARS) {
    throw new V2kError(
      "USAGE",
      `--thumbprint '${flags.thumbprint.slice(0, 80)}' is not a SHA-1 certificate thumbprint (20 hex bytes)`,
      "Copy the thumbprint that 'ablestack_v2k vcenter probe' (or govc about.cert -k -thumbprint) prints, e.g. AB:CD:...:EF.",
    );
  }
  const insecure = flags.insecure ?? (known ? known.insecure : truthy(env.GOVC_INSECURE));
  return {
    url: parsed.url,
    host: parsed.host,
    port: parsed.port,
    username,
    password,
    thumbprint: pinned ? normalizeThumbprint(pinned) : undefined,
    insecure,
  };
}

function firstLine(text: string): string {
  return text.split(/\r?\n/)[0] ?? "";
}

/**
 * govc's known-hosts file: one `host thumbprint` line per server (what `govc about.cert -k -thumbprint`
 * prints). The host may carry a port; `#` starts a comment. Returns the thumbprint for host[:port].
 */
export function knownHostsThumbprint(file: string | undefined, host: string, port: number): string | undefined {
  if (!file) return undefined;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new V2kError(
      "USAGE",
      `cannot read GOVC_TLS_KNOWN_HOSTS file ${file}: ${(e as Error).message}`,
      "Create it with: govc about.cert -k -u HOST -thumbprint >> FILE (then verify the thumbprint out of band).",
    );
  }
  const names = new Set([host, `${host}:${port}`, `[${host}]:${port}`]);
  if (port === 443) names.add(`${host}:443`);
  for (const raw of text.split("\n")) {
    const [name, thumbprint] = raw.replace(/#.*/, "").trim().split(/\s+/);
    if (name && thumbprint && names.has(name)) return thumbprint;
  }
  return undefined;
}

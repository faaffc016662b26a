// The environment our subprocesses (nbdkit, qemu-nbd, the python bridge, qemu-img, virsh, ...) start
// with: the helper's own minus its secrets. An operator's govc.env puts GOVC_PASSWORD (and perhaps
// credentials inside GOVC_URL) into the helper's environment; no child needs them, and every child's
// /proc/PID/environ would show them for as long as it runs.
const SECRET_NAME = /PASSWORD|SECRET|TOKEN|COOKIE/i;

export function childEnvironment(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || SECRET_NAME.test(name)) continue;
    out[name] = name === "GOVC_URL" ? urlWithoutCredentials(value) : value;
  }
  return out;
}

function urlWithoutCredentials(url: string): string {
  return url.replace(/\/\/[^/@]*@/, "//");
}

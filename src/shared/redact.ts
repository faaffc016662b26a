// Secrets must never reach argv, logs, manifests or the browser. Every message that may carry
// foreign text (tool output, SOAP faults) passes through redact() when an error or event is built.

const registered = new Set<string>();

/** Remember a secret value so that any later message containing it is scrubbed. */
export function registerSecret(value: string | undefined | null): void {
  if (!value || value.length < 3) return;
  registered.add(value);
  // the same secret as it appears quoted (cookies) or percent-encoded (URLs)
  const unquoted = value.replace(/^"(.*)"$/, "$1");
  if (unquoted.length >= 3) registered.add(unquoted);
  const encoded = encodeURIComponent(value);
  if (encoded !== value) registered.add(encoded);
}

const patterns: RegExp[] = [
  /(password|passwd|pwd)(["']?\s*[:=]\s*["']?)([^"'\s&,;}]+)/gi,
  /(vmware_soap_session)(="?)([^;\s"']+)/gi,
  /(<password>)()([^<]*)/gi,
  /(Authorization:\s*Basic\s+)()(\S+)/gi,
];

export function redact(text: string): string {
  let out = text;
  for (const secret of registered) out = out.split(secret).join("***");
  for (const re of patterns) out = out.replace(re, (_m, a: string, b: string) => `${a}${b}***`);
  return out;
}
